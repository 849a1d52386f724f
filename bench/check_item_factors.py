"""Which item factors should drive similar movies, "because you liked" and onboarding?

The rating model's (MF, trained on stars) or the ranker's (iALS, trained on who watched
what), side by side in one run on ml-latest-small, default hyperparameters for both.

    uv run python bench/check_item_factors.py [--zip PATH] [--seed 42]

Proxies (issue 10, third bullet):

- Similar movies, on the 90/10 split (movietui.model.evaluate.split): a pair (A, B) is a
  user's film A liked (>= 4) in train and film B liked in test. Pair recall = share of
  pairs with B in A's top-10 similar list; "per film" = the same averaged over films A
  (so a popular A does not dominate). Coverage = distinct films in the top-10 lists of
  every film / films; median count = median train rating count of the films listed.
  Every rule uses today's min-count (5) and shrink (cos * n / (n + 20)).
- "Because you liked", same split: each train user's served top-20 (served_scores of the
  ranker fold-in and the MF row, train films excluded) is explained by up to 2 of the
  user's liked films (today's rule for "liked"); "today" names, for each film, the liked
  films whose cosine with it is above their mean cosine with the list (explain_list). Held-out lift = sum over explanations
  of (other users who liked the named film in train and the target in test) / the same
  expected by chance (likers of named * test likers of target / users). Train lift: the
  same with both likes from other users' train ratings. Distinct = distinct films named
  per list of 20; top share = share of a list's explanations naming its most-named film.
- Onboarding: 20% of users held out (as evaluate.py's cold start: default_rng(seed + 1)),
  both models fitted on the rest. A held-out user goes down the onboarding order and rates
  the first 10 films they did rate. Every rule is judged on the same films: the union of
  what any rule revealed is masked from the ranking and from the relevant set (the user's
  other ratings >= 4). Recall@20 of the ranker fold-in alone and of the served score
  (ranker fold-in + MF SGD fold-in); "seen of 30" = films of the first 30 shown (the
  screen's page) the user had rated.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from movietui.catalog.readers import read_release
from movietui.model import fold_in, scores, train
from movietui.model.blend import served_scores
from movietui.model.evaluate import split
from movietui.model.itemsim import similar_items_blend
from movietui.model.ranker import fit_ranker
from movietui.model.serve import SIMILAR_MIN_COUNT, SIMILAR_SHRINK, explain, explain_list

SIM_N = 10
TOP = 20
BECAUSE_N = 2
ONBOARD_SHOWN = 30  # the onboarding screen asks for 30
ONBOARD_RATE = 10
ONBOARD_POOL = max(15 * ONBOARD_SHOWN, 300)  # catalog_index.onboarding_rows's pool


def unit(q: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(q, axis=1)
    return (q / np.where(norm > 0, norm, 1)[:, None]).astype(np.float32)


def similar_lists(cos_of, counts: np.ndarray, n_items: int, listable: np.ndarray) -> np.ndarray:
    """(n_items, SIM_N) top similar lists (-1 padded) under today's shrink/min-count rule;
    films not ``listable`` (no rating-model row: the app shows them no list) get none."""
    out = np.full((n_items, SIM_N), -1, np.int64)
    c = counts.astype(np.float32)
    shrink = c / (c + np.float32(SIMILAR_SHRINK))
    open_ = c >= SIMILAR_MIN_COUNT
    for lo in range(0, n_items, 1024):
        rows = np.arange(lo, min(lo + 1024, n_items))
        S = cos_of(rows) * shrink
        S[:, ~open_] = -np.inf
        S[np.arange(rows.size), rows] = -np.inf
        top = np.argpartition(-S, SIM_N, axis=1)[:, :SIM_N]
        order = np.argsort(-np.take_along_axis(S, top, 1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, 1)
        ok = np.isfinite(np.take_along_axis(S, top, 1)) & listable[rows][:, None]
        out[rows] = np.where(ok, top, -1)
    return out


def check_similar(lists: np.ndarray, liked_tr: list, liked_te: list, counts: np.ndarray) -> dict:
    n_items = lists.shape[0]
    hits = np.zeros(n_items)
    pairs = np.zeros(n_items)
    user_hits, user_pairs = np.zeros(len(liked_tr)), np.zeros(len(liked_tr))
    for k, (a_set, b_set) in enumerate(zip(liked_tr, liked_te)):
        if a_set.size == 0 or b_set.size == 0:
            continue
        h = np.isin(lists[a_set], b_set).sum(1)
        hits += np.bincount(a_set, weights=h, minlength=n_items)
        pairs += np.bincount(a_set, minlength=n_items) * b_set.size
        user_hits[k], user_pairs[k] = h.sum(), a_set.size * b_set.size
    queried = pairs > 0
    shown = lists[lists >= 0]
    return {
        "pair recall": hits.sum() / pairs.sum(),
        "per film": float((hits[queried] / pairs[queried]).mean()),
        "coverage": np.unique(shown).size / n_items,
        "median count": float(np.median(counts[shown])),
        "users": (user_hits, user_pairs),
    }


def paired_se(a_hits, a_pairs, b_hits, b_pairs, rounds: int = 500, seed: int = 0) -> float:
    """Bootstrap (over users) standard error of ratio(a) - ratio(b), ratio = sum hits / sum pairs."""
    rng = np.random.default_rng(seed)
    n = a_hits.size
    diffs = []
    for _ in range(rounds):
        pick = rng.integers(0, n, n)
        diffs.append(
            a_hits[pick].sum() / a_pairs[pick].sum() - b_hits[pick].sum() / b_pairs[pick].sum()
        )
    return float(np.std(diffs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zip", default=str(ROOT.parent / "shared/datasets/ml-latest-small.zip"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--only", choices=("similar", "because", "onboarding"), help="run one section only"
    )
    args = ap.parse_args()
    started = time.perf_counter()
    data = read_release(args.zip)
    u = data.user_id.astype(np.int64)
    i = data.movie_id.astype(np.int64)
    r = data.rating.astype(np.float32)
    all_items = np.unique(i)
    users = np.unique(u)
    ii, uu = np.searchsorted(all_items, i), np.searchsorted(users, u)
    n_items = all_items.size

    tr, te = split(r.size, 0.1, args.seed)
    mf = train(u[tr], i[tr], r[tr], all_item_ids=all_items)
    rk = fit_ranker(u[tr], i[tr], r[tr], all_item_ids=all_items)
    assert np.array_equal(mf.item_ids, all_items) and np.array_equal(rk.item_ids, all_items)
    counts = np.bincount(ii[tr], minlength=n_items)
    print(
        f"ml-latest-small: {r.size:,} ratings, seed {args.seed}; MF {mf.factors} factors "
        f"(epoch {mf.metrics.get('best_epoch')}), ranker {rk.factors} factors "
        f"(epoch {rk.metrics.get('best_epoch')}) [{time.perf_counter() - started:.0f} s]\n"
    )

    # --- similar movies ------------------------------------------------------------
    liked_tr = [np.empty(0, np.int64)] * users.size
    liked_te = [np.empty(0, np.int64)] * users.size
    for rows, dest in ((tr, liked_tr), (te, liked_te)):
        keep = rows[r[rows] >= 4]
        order = keep[np.argsort(uu[keep], kind="stable")]
        bounds = np.searchsorted(uu[order], np.arange(users.size + 1))
        for k in range(users.size):
            dest[k] = ii[order[bounds[k] : bounds[k + 1]]]
    mf_unit, rk_unit = unit(mf.item_factors), unit(rk.item_factors)
    listable = mf_unit.any(1)
    rules = {
        "MF cosine (today)": lambda rows: mf_unit[rows] @ mf_unit.T,
        "ranker cosine": lambda rows: rk_unit[rows] @ rk_unit.T,
        "blend 0.5/0.5": lambda rows: (
            0.5 * (mf_unit[rows] @ mf_unit.T) + 0.5 * (rk_unit[rows] @ rk_unit.T)
        ),
    }
    if args.only in (None, "similar"):
        print(f"similar movies: top-{SIM_N}, pairs = (liked in train, liked in test) per user")
        print(
            f"{'rule':<22}{'pair recall':>12}{'(+- vs today)':>14}{'per film':>10}{'coverage':>10}"
            f"{'median count':>14}"
        )
        today = None
        for name, cos_of in rules.items():
            row = check_similar(
                similar_lists(cos_of, counts, n_items, listable), liked_tr, liked_te, counts
            )
            today = today or row["users"]
            se = paired_se(*row["users"], *today)
            print(
                f"{name:<22}{row['pair recall']:>12.4f}{se:>14.4f}{row['per film']:>10.4f}{row['coverage']:>10.3f}"
                f"{row['median count']:>14g}"
            )
        want = similar_lists(rules["blend 0.5/0.5"], counts, n_items, listable)
        for a in range(0, n_items, 97):  # the product's function on a sample gives the same lists
            got = similar_items_blend(mf, rk, a, SIM_N, counts)[0]
            assert got.tolist() == want[a][want[a] >= 0].tolist(), (a, got, want[a])
        print("(movietui.model.itemsim.similar_items_blend gives the blend's lists)")
        print(f"[{time.perf_counter() - started:.0f} s]\n")

    # --- because you liked ---------------------------------------------------------
    if args.only in (None, "because"):
        check_because(u, uu, ii, r, tr, te, users, mf, rk, counts, mf_unit, rk_unit, args.seed)
        print(f"[{time.perf_counter() - started:.0f} s]\n")

    # --- onboarding ----------------------------------------------------------------
    if args.only in (None, "onboarding"):
        check_onboarding(u, ii, r, users, all_items, args.seed)
        print(f"[{time.perf_counter() - started:.0f} s]")


def check_because(u, uu, ii, r, tr, te, users, mf, rk, counts, mf_unit, rk_unit, seed) -> None:
    n_users, n_items = users.size, mf.n_items
    liked_train = np.zeros((n_users, n_items), bool)
    liked_test = np.zeros((n_users, n_items), bool)
    good_tr, good_te = tr[r[tr] >= 4], te[r[te] >= 4]
    liked_train[uu[good_tr], ii[good_tr]] = True
    liked_test[uu[good_te], ii[good_te]] = True
    lt, lte = liked_train.astype(np.float32), liked_test.astype(np.float32)
    n_tr, n_te = lt.sum(0), lte.sum(0)
    order = tr[np.argsort(uu[tr], kind="stable")]
    bounds = np.searchsorted(uu[order], np.arange(n_users + 1))
    rng = np.random.default_rng(seed)
    methods = [
        "MF deviation x cosine (before)",
        "ranker: deviation x cosine",
        "deviation x blend cosine",
        "ranker: iALS exact",
        "ranker: iALS exact x deviation",
        "MF row, cosine above list mean (today)",
        "random liked film (reference)",
    ]
    # Above the list mean: a film's cosine with the target minus (part of) its mean cosine
    # with the list's 20 films, so a film that resembles the whole list is not named for all.
    stats = {
        m: {
            "obs_te": 0.0,
            "exp_te": 0.0,
            "obs_tr": 0.0,
            "exp_tr": 0.0,
            "named": 0,
            "distinct": [],
            "top": [],
            "explained": 0,
        }
        for m in methods
    }
    n_targets = 0
    mf_rows = mf.user_index(users)
    for k in range(n_users):
        rows = order[bounds[k] : bounds[k + 1]]
        if rows.size == 0 or mf_rows[k] < 0:
            continue
        idx, rat = ii[rows], r[rows]
        p_mf, b = mf.user_factors[mf_rows[k]], float(mf.user_bias[mf_rows[k]])
        row = rk.fold_in(idx, rat)
        served = served_scores(rk.scores(row), scores(mf, p_mf, b), mf.mu)
        served[idx] = -np.inf
        targets = np.argsort(-served, kind="stable")[:TOP]
        n_targets += targets.size
        own = mf.mu + b
        dev = rat - (own + mf.item_bias[idx])
        liked = (rat > own) & (dev > 0)
        exact_share = _ials_share(rk, targets, idx, rat)
        listed = explain_list(mf, targets, idx, rat, b, n=BECAUSE_N)
        exact = []
        for col in exact_share.T:
            o = np.lexsort((idx, -col))
            exact.append(idx[o[liked[o] & (col[o] > 0)][:BECAUSE_N]])
        # other users' co-likes, excluding this user's own likes from both counts
        mine_tr, mine_te = lt[k], lte[k]
        for m in methods:
            named_lists = []
            for t_pos, t in enumerate(targets):
                if m == "MF deviation x cosine (before)":
                    named = explain(mf, int(t), idx, rat, b, n=BECAUSE_N)[0]
                elif m in (
                    "ranker: deviation x cosine",
                    "deviation x blend cosine",
                    "ranker: iALS exact x deviation",
                ):
                    if m == "ranker: deviation x cosine":
                        contrib = dev * (rk_unit[idx] @ rk_unit[t])
                    elif m == "deviation x blend cosine":
                        contrib = dev * (
                            0.5 * (rk_unit[idx] @ rk_unit[t]) + 0.5 * (mf_unit[idx] @ mf_unit[t])
                        )
                    else:
                        contrib = dev * exact_share[:, t_pos]
                    o = np.lexsort((idx, -contrib))
                    named = idx[o[liked[o] & (contrib[o] > 0)][:BECAUSE_N]]
                elif m == "MF row, cosine above list mean (today)":
                    named = listed[t_pos][0]
                elif m == "ranker: iALS exact":
                    named = exact[t_pos]
                else:
                    pool = idx[liked]
                    named = rng.choice(pool, size=min(BECAUSE_N, pool.size), replace=False)
                named_lists.append(np.asarray(named, np.int64))
            s = stats[m]
            flat = np.concatenate(named_lists) if named_lists else np.empty(0, np.int64)
            s["explained"] += sum(len(x) > 0 for x in named_lists)
            if flat.size == 0:
                continue
            tgt = np.concatenate([np.full(len(x), t) for x, t in zip(named_lists, targets)])
            co_te = (lt[:, flat] * lte[:, tgt]).sum(0) - mine_tr[flat] * mine_te[tgt]
            co_tr = (lt[:, flat] * lt[:, tgt]).sum(0) - mine_tr[flat] * mine_tr[tgt]
            others = n_users - 1
            s["obs_te"] += co_te.sum()
            s["exp_te"] += (
                (n_tr[flat] - mine_tr[flat]) * (n_te[tgt] - mine_te[tgt]) / others
            ).sum()
            s["obs_tr"] += co_tr.sum()
            s["exp_tr"] += (
                (n_tr[flat] - mine_tr[flat]) * (n_tr[tgt] - mine_tr[tgt]) / others
            ).sum()
            s["named"] += flat.size
            _, c = np.unique(flat, return_counts=True)
            s["distinct"].append(c.size)
            s["top"].append(c.max() / flat.size)
    print(
        f"because you liked: {BECAUSE_N} names for each of the served top-{TOP} ({n_targets:,} targets)"
    )
    print(
        f"{'rule':<40}{'held-out lift':>14}{'train lift':>11}{'explained':>10}{'distinct/20':>12}"
        f"{'top share':>10}"
    )
    for m in methods:
        s = stats[m]
        print(
            f"{m:<40}{s['obs_te'] / max(s['exp_te'], 1e-9):>14.2f}{s['obs_tr'] / max(s['exp_tr'], 1e-9):>11.2f}"
            f"{s['explained'] / n_targets:>10.3f}{np.mean(s['distinct']):>12.2f}{np.mean(s['top']):>10.3f}"
        )


def _ials_share(rk, targets, idx, rat) -> np.ndarray:
    """(rated, targets) iALS item-based shares c_j t_j q_t^T A^-1 q_j.

    The profile's row solves A p = sum_j c_j t_j q_j + lam * prior with
    A = w0 Q^T Q + sum_j (c_j - w0) q_j q_j^T + lam I (ranker_kernels), so a target's score
    splits exactly over the rated films (Hu, Koren and Volinsky 2008, section 5):
    s_t = sum_j c_j t_j (q_t^T A^-1 q_j) + lam q_t^T A^-1 prior.
    """
    from movietui.model.ranker import _signal

    h = rk.hyper
    Q = rk.item_factors.astype(np.float64)
    target, conf = _signal(rat, h)
    lam = h.reg * (idx.size + h.unobserved_weight * rk.n_items) ** h.reg_exponent
    Qu = Q[idx]
    A = (
        h.unobserved_weight * rk.gramian().astype(np.float64)
        + (Qu.T * (conf - h.unobserved_weight)) @ Qu
    )
    A[np.diag_indices_from(A)] += lam
    return (conf * target)[:, None] * (Qu @ np.linalg.solve(A, Q[targets].T))


def onboarding_orders(mf, rk, counts, n_users) -> dict[str, np.ndarray]:
    """Each rule's order over the onboarding pool (item indices)."""
    pool = np.argsort(-counts, kind="stable")[:ONBOARD_POOL]
    logc = np.log1p(counts[pool])
    mf_norm = np.linalg.norm(mf.item_factors[pool], axis=1)
    rk_norm = np.linalg.norm(rk.item_factors[pool], axis=1)
    orders = {
        "most rated": pool,
        "log(count) x MF norm (today)": pool[np.argsort(-(logc * mf_norm), kind="stable")],
        "log(count) x ranker norm": pool[np.argsort(-(logc * rk_norm), kind="stable")],
    }
    orders["ranker information (greedy)"] = information_order(rk, pool, counts[pool] / n_users)
    orders["ranker information, sqrt(p)"] = information_order(
        rk, pool, np.sqrt(counts[pool] / n_users)
    )
    return orders


def information_order(ranker, pool, p_seen) -> np.ndarray:
    """The pool reordered so that each next film teaches the ranker's fold-in most.

    A new profile's row is fixed by A = w0 Q^T Q + lam I + sum (c - w0) q_j q_j^T over the
    films it rates: a rating of film j shrinks the row's uncertainty by
    log(1 + (1 - w0) q_j^T A^-1 q_j) (the D-optimal design gain). It only helps if the
    person has seen j, so each film's gain is weighted by p_seen (its share of raters),
    and the expected rating is added to A before the next pick (greedy, Sherman-Morrison).
    Films similar to one already picked gain less: the order spreads over tastes.
    """
    pool = np.asarray(pool, np.int64).reshape(-1)
    p = np.clip(np.asarray(p_seen, np.float64).reshape(-1), 0.0, 1.0)
    h = ranker.hyper
    w0 = float(h.unobserved_weight)
    c = 1.0 - w0  # the extra confidence of a rated film over an unrated one (stars unknown yet)
    Q = ranker.item_factors[pool].astype(np.float64)
    lam = h.reg * (w0 * ranker.n_items) ** h.reg_exponent
    A = w0 * ranker.gramian().astype(np.float64)
    A[np.diag_indices_from(A)] += max(lam, 1e-6)
    Ainv = np.linalg.inv(A)
    QA = Q @ Ainv
    lev = np.einsum("ij,ij->i", QA, Q)  # q_j^T A^-1 q_j for every pool film
    left = np.ones(pool.size, bool)
    order = np.empty(pool.size, np.int64)
    for step in range(pool.size):
        gain = np.where(left, p * np.log1p(c * np.maximum(lev, 0.0)), -np.inf)
        j = int(np.argmax(gain))  # ties: the earlier (more rated) pool film
        order[step], left[j] = j, False
        s = p[j] * c
        v = QA[j].copy()  # A^-1 q_j
        cross = Q @ v  # q_i^T A^-1 q_j
        denom = 1.0 + s * lev[j]
        lev -= s * cross**2 / denom
        QA -= np.outer(s * cross / denom, v)
    return pool[order]


def check_onboarding(u, ii, r, users, all_items, seed) -> None:
    rng = np.random.default_rng(seed + 1)  # evaluate.py's cold-start holdout
    keys, _n_per = np.unique(u, return_counts=True)
    held = rng.choice(keys, size=max(1, round(0.2 * keys.size)), replace=False)
    rest = ~np.isin(u, held)
    mf = train(u[rest], all_items[ii[rest]], r[rest], all_item_ids=all_items)
    rk = fit_ranker(u[rest], all_items[ii[rest]], r[rest], all_item_ids=all_items)
    counts = np.bincount(ii[rest], minlength=all_items.size)
    orders = onboarding_orders(mf, rk, counts, keys.size - held.size)
    res = {name: {"rank": [], "served": [], "revealed": [], "seen30": []} for name in orders}
    for key in np.sort(held):
        rows = np.flatnonzero(u == key)
        mine = dict(zip(ii[rows].tolist(), r[rows].tolist()))
        revealed = {}
        for name, order in orders.items():
            rated = [int(x) for x in order if int(x) in mine]
            revealed[name] = np.array(rated[:ONBOARD_RATE], np.int64)
            res[name]["seen30"].append(sum(int(x) in mine for x in order[:ONBOARD_SHOWN]))
        union = np.unique(np.concatenate(list(revealed.values())))
        relevant = np.array(
            [m for m, s in mine.items() if s >= 4 and m not in set(union.tolist())], np.int64
        )
        if relevant.size == 0:
            continue
        for name, shown in revealed.items():
            stars = np.array([mine[int(x)] for x in shown], np.float32)
            row = rk.fold_in(shown, stars)
            rank = rk.scores(row)
            if shown.size:
                f = fold_in(mf, shown.astype(np.int32), stars)
                pred = scores(mf, f.factors, f.bias)
            else:
                pred = np.full(all_items.size, mf.mu, np.float32)
            for label, s in (("rank", rank), ("served", served_scores(rank, pred, mf.mu))):
                s = s.copy()
                s[union] = -np.inf
                top = np.argpartition(-s, TOP)[:TOP]
                res[name][label].append(np.isin(relevant, top).sum() / min(relevant.size, TOP))
            res[name]["revealed"].append(shown.size)
    n = len(next(iter(res.values()))["rank"])
    print(
        f"onboarding: {held.size} held-out users ({n} with a relevant film left), rate the first "
        f"{ONBOARD_RATE} films of the order they rated; Recall@{TOP}"
    )
    print(
        f"{'rule':<32}{'ranker R@20':>12}{'served R@20':>12}{'(+- vs today)':>14}{'revealed':>10}"
        f"{'seen of 30':>11}"
    )
    today = np.array(res["log(count) x MF norm (today)"]["served"])
    for name, s in res.items():
        se = np.std(np.array(s["served"]) - today, ddof=1) / np.sqrt(today.size)
        print(
            f"{name:<32}{np.mean(s['rank']):>12.4f}{np.mean(s['served']):>12.4f}{se:>14.4f}"
            f"{np.mean(s['revealed']):>10.2f}{np.mean(s['seen30']):>11.2f}"
        )


if __name__ == "__main__":
    main()
