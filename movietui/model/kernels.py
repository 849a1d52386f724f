"""Compiled inner loops. SGD is sequential by nature, so a numba loop beats vectorised numpy.

All kernels take contiguous int32 indices and float32 parameters, release the GIL (so
training can run in a worker thread, and two threads can run disjoint blocks at once) and
keep strict IEEE maths (fastmath=False) so a seed gives the same model on every run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_OPTS = dict(cache=True, nogil=True, fastmath=False)


@njit(**_OPTS)
def _update(u, i, r, mu, P, Q, bu, bi, lr, reg, bias_reg):
    """One SGD step on rating r of (u, i); returns the error before the step."""
    k = P.shape[1]
    dot = np.float32(0.0)
    for f in range(k):
        dot += P[u, f] * Q[i, f]
    e = r - (mu + bu[u] + bi[i] + dot)
    bu[u] += lr * (e - bias_reg * bu[u])
    bi[i] += lr * (e - bias_reg * bi[i])
    for f in range(k):
        pf = P[u, f]
        qf = Q[i, f]
        P[u, f] = pf + lr * (e * qf - reg * pf)
        Q[i, f] = qf + lr * (e * pf - reg * qf)
    return e


@njit(**_OPTS)
def sgd_shuffled(order, users, items, ratings, mu, P, Q, bu, bi, lr, reg, bias_reg):
    """Plain SGD over ratings in the given (shuffled) order; returns the sum of squared errors."""
    lr = np.float32(lr)
    reg = np.float32(reg)
    bias_reg = np.float32(bias_reg)
    mu = np.float32(mu)
    sse = 0.0
    for t in range(order.shape[0]):
        j = order[t]
        e = _update(users[j], items[j], ratings[j], mu, P, Q, bu, bi, lr, reg, bias_reg)
        sse += e * e
    return sse


@njit(**_OPTS)
def sgd_by_user(user_order, indptr, items, ratings, mu, P, Q, bu, bi, lr, reg, bias_reg):
    """SGD over one block: ratings grouped by user (CSR), users visited in user_order.

    p_u stays in cache while its ratings stream past; only q_i is a random access.
    """
    lr = np.float32(lr)
    reg = np.float32(reg)
    bias_reg = np.float32(bias_reg)
    mu = np.float32(mu)
    sse = 0.0
    for t in range(user_order.shape[0]):
        u = user_order[t]
        for j in range(indptr[u], indptr[u + 1]):
            e = _update(u, items[j], ratings[j], mu, P, Q, bu, bi, lr, reg, bias_reg)
            sse += e * e
    return sse


@njit(**_OPTS)
def squared_error(users, items, ratings, mu, P, Q, bu, bi):
    """Sum of squared errors of unclipped predictions (the training objective's view)."""
    k = P.shape[1]
    sse = 0.0
    for j in range(users.shape[0]):
        u = users[j]
        i = items[j]
        dot = np.float32(0.0)
        for f in range(k):
            dot += P[u, f] * Q[i, f]
        e = ratings[j] - (mu + bu[u] + bi[i] + dot)
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
    less than tol (max-norm of the net change). Returns (b, passes run).
    """
    k = Q.shape[1]
    n = items.shape[0]
    passes = 0
    start = np.empty(k, dtype=np.float32)
    for it in range(max_passes):
        step = np.float32(lr / (1.0 + it / decay))
        start[:] = p
        b0 = b
        for j in range(n):
            i = items[j]
            dot = np.float32(0.0)
            for f in range(k):
                dot += p[f] * Q[i, f]
            e = ratings[j] - (mu + b + bi[i] + dot)
            b += step * (e - bias_reg * b)
            for f in range(k):
                p[f] += step * (e * Q[i, f] - reg * p[f])
        passes = it + 1
        moved = abs(b - b0)
        for f in range(k):
            moved = max(moved, abs(p[f] - start[f]))
        if moved < tol:
            break
    return b, passes
