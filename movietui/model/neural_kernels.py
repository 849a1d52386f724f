"""Compiled passes of the neural model (CollabFNet): forward, hand-written backward, Adam.

Parameter layout (see neural.py):
- ``E``: float32 (n_users + n_items, d + 1), user rows first, then item rows; column d is
  the row's bias (used only when the model has biases, else it stays 0).
- ``theta``: float32 flat vector of the dense layers, [W1 (H x 2d) | b1 (H) | w2 (H) | b2].

Forward of one (user row u, item row i) pair:

    x   = [E[u, :d], E[i, :d]]                    (2d)
    h0  = relu(x) * mask / (1 - p)                dropout (training only)
    z1  = W1 h0 + b1                              (H)
    y   = mu + b2 + w2 . relu(z1) [+ E[u, d] + E[i, d]]

A mini-batch is cut into two halves at a fixed position; each half accumulates its own
dense gradient (``grad_half``) and writes each example's embedding gradient to its own
slot, so the two halves can run on two threads at once. ``apply_step`` then sums the
halves in a fixed order, scatters the embedding gradients row by row in batch order and
takes one Adam step (lazy for embeddings: only the rows the batch touched move). The result
does not depend on which thread ran which half: one or two threads give the same bits.

Dropout masks come from a counter-based hash of (seed, global example position, feature
block), so they too are independent of the thread split.

All kernels release the GIL and keep IEEE maths.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# error_model="numpy": IEEE division (inf/NaN, caught by the caller's divergence check)
# instead of a ZeroDivisionError branch, which also kept the Adam loop from vectorising.
_OPTS = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S16 = np.uint64(16)
_LOW16 = np.uint64(0xFFFF)


# As kernels._dot: only the order of this sum is free (16-lane partial sums), so a seed
# still gives the same bits on one machine; the rest of the maths stays IEEE.
@njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc", "contract"})
def _dot(a, b):
    s = np.float32(0.0)
    for k in range(a.shape[0]):
        s += a[k] * b[k]
    return s


@njit(**_OPTS)
def _axpy2(alpha, x, y, acc_x, acc_y):
    """acc_x += alpha * x; acc_y += alpha * y (one pass, vectorised)."""
    for k in range(x.shape[0]):
        acc_x[k] += alpha * x[k]
        acc_y[k] += alpha * y[k]


@njit(inline="always", **_OPTS)
def _mix(x):
    """splitmix64's finaliser: a well-spread 64-bit hash of a counter."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@njit(inline="always", **_OPTS)
def _dropout_mask(mask, key, example, keep_scale, threshold):
    """mask[k] = keep_scale or 0 for each of the 2d features; 16 random bits per feature."""
    n = mask.shape[0]
    base = key + np.uint64(example) * _GOLDEN
    for blk in range((n + 3) // 4):
        bits = _mix(base + np.uint64(blk))
        for t in range(4):
            k = 4 * blk + t
            if k < n:
                if (bits & _LOW16) >= threshold:
                    mask[k] = keep_scale
                else:
                    mask[k] = np.float32(0.0)
                bits = bits >> _S16


@njit(**_OPTS)
def grad_half(
    order,
    lo,
    hi,
    batch_lo,
    urow,
    irow,
    r,
    E,
    theta,
    H,
    mu,
    use_bias,
    drop,
    key,
    example_base,
    g_scale,
    gX,
    g_dense,
):
    """Forward and backward for examples order[lo:hi]; returns their sum of squared errors.

    Writes dL/dE of example j (slot j - batch_lo) into gX[slot, 0, :] (user row) and
    gX[slot, 1, :] (item row), column d being the bias; adds dL/dtheta into g_dense
    (zeroed here). The loss is g_scale/2 * sum of squared errors (g_scale = 2 / batch for
    the batch mean, as PyTorch's MSELoss).
    """
    d = E.shape[1] - 1
    two_d = 2 * d
    nw1 = H * two_d
    W1 = theta[:nw1].reshape((H, two_d))
    b1 = theta[nw1 : nw1 + H]
    w2 = theta[nw1 + H : nw1 + 2 * H]
    b2 = theta[nw1 + 2 * H]
    gW1 = g_dense[:nw1].reshape((H, two_d))
    gb1 = g_dense[nw1 : nw1 + H]
    gw2 = g_dense[nw1 + H : nw1 + 2 * H]
    g_dense[:] = 0.0
    h0 = np.empty(two_d, np.float32)
    mask = np.ones(two_d, np.float32)
    dh = np.empty(two_d, np.float32)
    z1 = np.empty(H, np.float32)
    keep_scale = np.float32(1.0 / (1.0 - drop)) if drop > 0 else np.float32(1.0)
    threshold = np.uint64(int(drop * 65536.0 + 0.5))
    sse = 0.0
    gb2 = np.float32(0.0)
    for j in range(lo, hi):
        e_idx = order[j]
        u = urow[e_idx]
        it = irow[e_idx]
        for k in range(d):
            x = E[u, k]
            h0[k] = x if x > 0 else np.float32(0.0)
            x = E[it, k]
            h0[d + k] = x if x > 0 else np.float32(0.0)
        if drop > 0:
            _dropout_mask(mask, key, example_base + j, keep_scale, threshold)
            for k in range(two_d):
                h0[k] *= mask[k]
        y = mu + b2
        for h in range(H):
            s = b1[h] + _dot(W1[h], h0)
            z1[h] = s
            if s > 0:
                y += w2[h] * s
        if use_bias:
            y += E[u, d] + E[it, d]
        e = y - r[e_idx]
        sse += e * e
        g = np.float32(g_scale * e)
        gb2 += g
        dh[:] = 0.0
        for h in range(H):
            if z1[h] > 0:
                gw2[h] += g * z1[h]
                dz = g * w2[h]
                gb1[h] += dz
                _axpy2(dz, h0, W1[h], gW1[h], dh)
        slot = j - batch_lo
        for k in range(d):
            # through the dropout mask and the ReLU on the embedding
            gu = dh[k] * mask[k] if E[u, k] > 0 else np.float32(0.0)
            gi = dh[d + k] * mask[d + k] if E[it, k] > 0 else np.float32(0.0)
            gX[slot, 0, k] = gu
            gX[slot, 1, k] = gi
        gX[slot, 0, d] = g if use_bias else np.float32(0.0)
        gX[slot, 1, d] = g if use_bias else np.float32(0.0)
    g_dense[nw1 + 2 * H] = gb2
    return sse


@njit(**_OPTS)
def apply_step(
    order,
    lo,
    hi,
    urow,
    irow,
    gX,
    g_halves,
    E,
    mE,
    vE,
    theta,
    m_theta,
    v_theta,
    stamp_of,
    slot_of,
    touched,
    acc,
    stamp,
    lr,
    beta1,
    beta2,
    eps,
    wd,
    t,
    side_lo,
    side_hi,
    dense,
):
    """One Adam step from the gradients grad_half left, for the embedding rows of sides
    side_lo..side_hi-1 (0 = users, 1 = films) and, if ``dense``, the dense layers (halves
    summed in order 0, 1).

    Users and films are disjoint rows, so the two sides can run on two threads at once
    (each with its own touched[side] / acc[side] buffers); either way every row's gradient
    is the sum of its examples' in batch order. Only touched rows move (lazy Adam; bias
    correction with the global step t). Weight decay is added to the gradient (PyTorch
    Adam's weight_decay), on touched rows only.
    """
    width = E.shape[1]
    bc1 = 1.0 - beta1**t
    bc2 = 1.0 - beta2**t
    one = np.float32(1.0)
    zero = np.float32(0.0)
    b1f = np.float32(beta1)
    b2f = np.float32(beta2)
    c1 = np.float32(1.0 / bc1)
    c2 = np.float32(1.0 / bc2)
    lrf = np.float32(lr)
    epsf = np.float32(eps)
    wdf = np.float32(wd)
    for side in range(side_lo, side_hi):
        rows = urow if side == 0 else irow
        mine = touched[side]
        sums = acc[side]
        n_touched = 0
        for j in range(lo, hi):
            row = rows[order[j]]
            if stamp_of[row] != stamp:
                stamp_of[row] = stamp
                slot_of[row] = n_touched
                mine[n_touched] = row
                sums[n_touched, :] = 0.0
                n_touched += 1
            s = slot_of[row]
            g = gX[j - lo, side]
            for k in range(width):
                sums[s, k] += g[k]
        for s in range(n_touched):
            row = mine[s]
            _adam(
                E[row], mE[row], vE[row], sums[s], sums[s], zero, b1f, b2f, c1, c2, lrf, epsf, wdf
            )
    if dense:
        _adam(
            theta, m_theta, v_theta, g_halves[0], g_halves[1], one, b1f, b2f, c1, c2, lrf, epsf, wdf
        )


@njit(**_OPTS)
def _adam(x, m, v, g0, g1, g1_weight, b1, b2, c1, c2, lr, eps, wd):
    """x -= lr * mhat / (sqrt(vhat) + eps) for g = g0 + g1_weight * g1 + wd * x (in place).

    Called with g1 = g0 and weight 0 for one gradient; the arithmetic is IEEE, in one
    vectorisable pass.
    """
    one = np.float32(1.0)
    for k in range(x.shape[0]):
        g = g0[k] + g1_weight * g1[k] + wd * x[k]
        mk = b1 * m[k] + (one - b1) * g
        vk = b2 * v[k] + (one - b2) * g * g
        m[k] = mk
        v[k] = vk
        x[k] -= lr * (mk * c1) / (np.sqrt(vk * c2) + eps)


@njit(**_OPTS)
def predict_rows(urow, irow, E, theta, H, mu, use_bias, clip, out):
    """out[j] = prediction for (urow[j], irow[j]) without dropout; clipped 0.5..5 if clip."""
    d = E.shape[1] - 1
    two_d = 2 * d
    nw1 = H * two_d
    W1 = theta[:nw1].reshape((H, two_d))
    b1 = theta[nw1 : nw1 + H]
    w2 = theta[nw1 + H : nw1 + 2 * H]
    b2 = theta[nw1 + 2 * H]
    h0 = np.empty(two_d, np.float32)
    for j in range(urow.shape[0]):
        u = urow[j]
        it = irow[j]
        for k in range(d):
            x = E[u, k]
            h0[k] = x if x > 0 else np.float32(0.0)
            x = E[it, k]
            h0[d + k] = x if x > 0 else np.float32(0.0)
        y = mu + b2
        for h in range(H):
            s = b1[h] + _dot(W1[h], h0)
            if s > 0:
                y += w2[h] * s
        if use_bias:
            y += E[u, d] + E[it, d]
        if clip:
            y = min(np.float32(5.0), max(np.float32(0.5), y))
        out[j] = y


@njit(**_OPTS)
def _row_loss(items, ratings, C, bi, W1u, w2, base, p, b, prior, f0, b0, cu, relu_p):
    """Fold-in objective sum_j e_j^2 + f0 |p - prior|^2 + b0 b^2 and the data SSE."""
    H = W1u.shape[0]
    d = W1u.shape[1]
    for k in range(d):
        relu_p[k] = p[k] if p[k] > 0 else np.float32(0.0)
    for h in range(H):
        s = np.float32(0.0)
        for k in range(d):
            s += W1u[h, k] * relu_p[k]
        cu[h] = s
    sse = 0.0
    for j in range(items.shape[0]):
        it = items[j]
        y = base + bi[it] + b
        for h in range(H):
            y += w2[h] * max(C[it, h] + cu[h], np.float32(0.0))
        e = y - ratings[j]
        sse += e * e
    reg = 0.0
    for k in range(d):
        dp = p[k] - prior[k]
        reg += dp * dp
    return sse + f0 * reg + b0 * b * b, sse


@njit(**_OPTS)
def fold_in_row(items, ratings, C, bi, W1u, w2, base, p, b, prior, f0, b0, fit_bias, steps, tol):
    """Gradient descent with backtracking on the profile's row (p in place) and bias.

    Only the row moves; C[i] = W1_item relu(v_i) + b1 is the fixed item half of the first
    layer, so a step costs O(n * H + H * d). A step is kept only if the objective falls,
    so the objective never rises. Returns (bias, data SSE before, data SSE after, steps).
    """
    H = W1u.shape[0]
    d = W1u.shape[1]
    n = items.shape[0]
    cu = np.empty(H, np.float32)
    relu_p = np.empty(d, np.float32)
    delta = np.empty(H, np.float64)
    gp = np.empty(d, np.float32)
    trial = np.empty(d, np.float32)
    obj, sse0 = _row_loss(items, ratings, C, bi, W1u, w2, base, p, b, prior, f0, b0, cu, relu_p)
    sse = sse0
    eta = 0.5 / (n + f0 + 1.0)
    used = 0
    for _ in range(steps):
        # gradient at (p, b): cu and relu_p hold this point's values (from _row_loss)
        delta[:] = 0.0
        gb = 0.0
        for j in range(n):
            it = items[j]
            y = base + bi[it] + b
            for h in range(H):
                z = C[it, h] + cu[h]
                if z > 0:
                    y += w2[h] * z
            e2 = 2.0 * (y - ratings[j])
            gb += e2
            for h in range(H):
                if C[it, h] + cu[h] > 0:
                    delta[h] += e2 * w2[h]
        for k in range(d):
            s = 0.0
            if p[k] > 0:
                for h in range(H):
                    s += delta[h] * W1u[h, k]
            gp[k] = np.float32(s + 2.0 * f0 * (p[k] - prior[k]))
        gb = gb + 2.0 * b0 * b if fit_bias else 0.0
        improved = False
        while eta > 1e-9:
            used += 1
            for k in range(d):
                trial[k] = p[k] - np.float32(eta) * gp[k]
            tb = b - eta * gb
            new_obj, new_sse = _row_loss(
                items, ratings, C, bi, W1u, w2, base, trial, tb, prior, f0, b0, cu, relu_p
            )
            if new_obj < obj:
                improved = True
                break
            eta *= 0.5
        if not improved:
            # leave cu / relu_p consistent with p for nothing else uses them; done
            break
        rel = (obj - new_obj) / max(obj, 1e-12)
        p[:] = trial
        b = tb
        obj, sse = new_obj, new_sse
        eta *= 1.5
        if rel < tol:
            break
    return b, sse0, sse, used


@njit(**_OPTS)
def score_items(C, cu, w2, bi, base, out):
    """out[i] = clip(base + bi[i] + w2 . relu(C[i] + cu), 0.5, 5): every film's stars for
    one profile, in one pass over the cached item half of the first layer."""
    H = C.shape[1]
    lo = np.float32(0.5)
    hi = np.float32(5.0)
    zero = np.float32(0.0)
    for i in range(C.shape[0]):
        y = base + bi[i]
        for h in range(H):
            # branch-free ReLU: a branch on the sign mispredicted about half the time
            y += w2[h] * max(C[i, h] + cu[h], zero)
        out[i] = min(hi, max(lo, y))
