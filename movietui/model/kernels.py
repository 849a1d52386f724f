"""Compiled inner loops. SGD is sequential by nature, so a numba loop beats vectorised numpy.

All kernels take contiguous int32 indices and float32 parameters, release the GIL (so
training can run in a worker thread, and two threads can run disjoint blocks at once) and
keep IEEE maths (fastmath=False) except in the dot product, where only the order of the
sum is free (see _dot).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from movietui.model.prefetch import prefetch_row

_OPTS = dict(cache=True, nogil=True, fastmath=False)


# The dot product alone may reassociate its sum: that lets LLVM keep 16-lane partial sums
# in AVX-512 registers (one fused multiply-add per 16 factors). The result still depends
# only on the compiled code, so a seed gives the same model on every run on one machine.
# At 100 factors it took an SGD update from 66 to 30 ns; a loop with four scalar
# partial sums (strict IEEE) was never vectorised.
@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot(p, q):
    s = np.float32(0.0)
    for f in range(p.shape[0]):
        s += p[f] * q[f]
    return s


# Inlined at numba's level: as a called function its array arguments went through the stack
# on every update (40 -> 28.5 ns an update at 100 factors). Not _dot: inlined code takes
# the caller's fastmath flags, and _dot's own flags are the point of it.
@njit(inline="always", **_OPTS)
def _update(u, i, r, mu, P, Q, bu, bi, lr, reg, bias_reg):
    """One SGD step on rating r of (u, i); returns the error before the step."""
    p = P[u]
    q = Q[i]
    e = r - (mu + bu[u] + bi[i] + _dot(p, q))
    bu[u] += lr * (e - bias_reg * bu[u])
    bi[i] += lr * (e - bias_reg * bi[i])
    le = lr * e
    decay = np.float32(1.0) - lr * reg
    for f in range(p.shape[0]):
        pf = p[f]
        qf = q[f]
        p[f] = decay * pf + le * qf
        q[f] = decay * qf + le * pf
    return e


@njit(**_OPTS)
def squared_error(users, items, ratings, mu, P, Q, bu, bi):
    """Sum of squared errors of unclipped predictions (the training objective's view)."""
    sse = 0.0
    for j in range(users.shape[0]):
        u = users[j]
        i = items[j]
        e = ratings[j] - (mu + bu[u] + bi[i] + _dot(P[u], Q[i]))
        sse += e * e
    return sse


@njit(**_OPTS)
def predict_pairs(users, items, mu, P, Q, bu, bi, out):
    """out[j] = clipped prediction for (users[j], items[j]); index -1 means unknown (zero row)."""
    k = P.shape[1]
    for j in range(users.shape[0]):
        u = users[j]
        i = items[j]
        s = np.float32(mu)
        if u >= 0:
            s += bu[u]
        if i >= 0:
            s += bi[i]
        if u >= 0 and i >= 0:
            for f in range(k):
                s += P[u, f] * Q[i, f]
        out[j] = min(np.float32(5.0), max(np.float32(0.5), s))


@njit(**_OPTS)
def fold_in_sgd(items, ratings, mu, Q, bi, p, b, lr, reg, bias_reg, max_passes, tol, decay):
    """SGD passes over one profile's ratings updating only (p, b) in place; item side fixed.

    The step decays as lr / (1 + pass / decay) so the iterate settles on the regularised
    least-squares optimum instead of circling it. Stops when a whole pass moves the row by
    less than tol scaled by the step decay (so a small step cannot fake convergence).
    Returns (b, passes run).
    """
    k = Q.shape[1]
    n = items.shape[0]
    passes = 0
    start = np.empty(k, dtype=np.float32)
    for it in range(max_passes):
        step = np.float32(lr / (1.0 + it / decay))
        start[:] = p
        b0 = b
        decay_p = np.float32(1.0) - step * reg
        for j in range(n):
            i = items[j]
            q = Q[i]
            e = ratings[j] - (mu + b + bi[i] + _dot(p, q))
            b += step * (e - bias_reg * b)
            se = step * e
            for f in range(k):
                p[f] = decay_p * p[f] + se * q[f]
        passes = it + 1
        moved = abs(b - b0)
        for f in range(k):
            moved = max(moved, abs(p[f] - start[f]))
        if moved < tol * (step / lr):  # net pass movement over step ~ gradient size
            break
    return b, passes


AHEAD = 8  # ratings between a prefetch and its use: 2, 8 and 16 gave 67, 57 and 64 ms


@njit(**_OPTS)
def sgd_segments(seg_order, seg_ptr, users, items, ratings, mu, P, Q, bu, bi, lr, reg, bias_reg):
    """SGD over ratings stored as segments (tiles), visiting segments in seg_order.

    A tile holds the ratings of one slice of items small enough for Q's rows to stay in
    L2, sorted by user so P's rows stream through memory in address order; the item row
    of the rating AHEAD steps on is prefetched. Segments shorter than AHEAD (one rating
    each in the shuffled one-thread schedule) prefetch both rows of a later segment.
    """
    lr = np.float32(lr)
    reg = np.float32(reg)
    bias_reg = np.float32(bias_reg)
    mu = np.float32(mu)
    n_segments = seg_order.shape[0]
    sse = 0.0
    for t in range(n_segments):
        s = seg_order[t]
        start, end = seg_ptr[s], seg_ptr[s + 1]
        if end - start < AHEAD and t + AHEAD < n_segments:
            later = seg_ptr[seg_order[t + AHEAD]]
            if later < seg_ptr[seg_order[t + AHEAD] + 1]:
                prefetch_row(P, users[later])
                prefetch_row(Q, items[later])
        for j in range(start, end):
            if j + AHEAD < end:
                prefetch_row(Q, items[j + AHEAD])
            e = _update(users[j], items[j], ratings[j], mu, P, Q, bu, bi, lr, reg, bias_reg)
            sse += e * e
    return sse


@njit(**_OPTS)
def fill_uniform(out, k, key, half_width):
    """out[:, :k] = uniform draws on [-half_width, half_width), out[:, k:] = 0.

    Counter-based: draw (r, c) is splitmix64(key + r * k + c) (Steele, Lea and Flood's
    SplittableRandom finaliser), so it depends only on the key and its position, never on
    the order of filling; 24 bits make the float32. 0.55 ms for ml-latest-small's items
    where numpy's generator, shifted, scaled and padded, took 4.1 ms: a tenth of a fit.
    """
    n, width = out.shape
    scale = np.float32(2.0 / (1 << 24)) * half_width
    for r in range(n):
        base = np.uint64(key) + np.uint64(r) * np.uint64(k)
        for c in range(k):
            z = base + np.uint64(c) + np.uint64(0x9E3779B97F4A7C15)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            out[r, c] = np.float32(z >> np.uint64(40)) * scale - half_width
        for c in range(k, width):
            out[r, c] = np.float32(0.0)


@njit(**_OPTS)
def counting_order(keys, n_keys):
    """Stable permutation that sorts keys (0 <= key < n_keys): O(n + n_keys), where argsort
    and lexsort took ~1 s each on 4.5M ratings and dominated the set-up of a short training."""
    starts = np.zeros(n_keys + 1, dtype=np.int64)
    for t in range(keys.shape[0]):
        starts[keys[t] + 1] += 1
    for k in range(n_keys):
        starts[k + 1] += starts[k]
    order = np.empty(keys.shape[0], dtype=np.int64)
    for t in range(keys.shape[0]):
        k = keys[t]
        order[starts[k]] = t
        starts[k] += 1
    return order


@njit(**_OPTS)
def group_layout(
    users, items, ratings, is_train, user_group, item_group, n_groups, n_users, jitter
):
    """The training ratings ordered by (group, user), each user's run inside a group in a
    random order; a rating's group is user_group[user] + item_group[item].

    Returns (users, items, ratings, group_ptr), group g at [group_ptr[g], group_ptr[g + 1]).
    jitter holds one uniform [0, 1) draw per training rating and decides the order inside
    each run (a Fisher-Yates shuffle), so the result is a function of the inputs alone.

    Every pass reads the input in order or works inside one group, which fits in cache:
    a global permutation followed by gathers took 0.75 s of set-up at 4.5M ratings.
    """
    n = users.shape[0]
    group_ptr = np.zeros(n_groups + 1, dtype=np.int64)
    for j in range(n):
        if is_train[j]:
            group_ptr[user_group[users[j]] + item_group[items[j]] + 1] += 1
    for g in range(n_groups):
        group_ptr[g + 1] += group_ptr[g]
    m = group_ptr[n_groups]
    # pass 1: stable scatter into groups (n_groups write streams, all sequential)
    grouped_users = np.empty(m, dtype=users.dtype)
    grouped_items = np.empty(m, dtype=items.dtype)
    grouped_ratings = np.empty(m, dtype=ratings.dtype)
    fill = group_ptr[:-1].copy()
    for j in range(n):
        if is_train[j]:
            g = user_group[users[j]] + item_group[items[j]]
            k = fill[g]
            grouped_users[k] = users[j]
            grouped_items[k] = items[j]
            grouped_ratings[k] = ratings[j]
            fill[g] = k + 1
    # pass 2, one group at a time: stable sort by user, then shuffle each user's run
    out_users = np.empty(m, dtype=users.dtype)
    out_items = np.empty(m, dtype=items.dtype)
    out_ratings = np.empty(m, dtype=ratings.dtype)
    for g in range(n_groups):
        a, b = group_ptr[g], group_ptr[g + 1]
        if a == b:
            continue
        group_users = grouped_users[a:b]
        lo = group_users.min()
        by_user = counting_order(group_users - lo, group_users.max() - lo + 1)
        for t in range(b - a):
            j = a + by_user[t]
            out_users[a + t] = grouped_users[j]
            out_items[a + t] = grouped_items[j]
            out_ratings[a + t] = grouped_ratings[j]
        start = a
        for end in range(a + 1, b + 1):
            if end < b and out_users[end] == out_users[start]:
                continue
            for k in range(start, end - 1):  # Fisher-Yates over the run [start, end)
                swap = min(k + int(jitter[k] * (end - k)), end - 1)  # min: float32 rounding
                out_items[k], out_items[swap] = out_items[swap], out_items[k]
                out_ratings[k], out_ratings[swap] = out_ratings[swap], out_ratings[k]
            start = end
    return out_users, out_items, out_ratings, group_ptr


@njit(**_OPTS)
def row_fit(items, ratings, mu, Q, bi, p, b):
    """(RMSE of the row (p, b) on one profile's ratings, largest |q_i|^2 among its films):
    the fold-in's before/after loss and its step bound in one pass, with no gathered copy."""
    sse = 0.0
    qq_max = 0.0
    n = items.shape[0]
    for j in range(n):
        i = items[j]
        q = Q[i]
        e = ratings[j] - (mu + b + bi[i] + _dot(p, q))
        sse += e * e
        qq_max = max(qq_max, _dot(q, q))
    return np.sqrt(sse / max(n, 1)), qq_max
