"""Each statistic on a hand-computable case, against its formula in the original paper or
MacKinlay (1997), the expected value computed here independently with plain loops,
np.linalg and scipy (not with quantlab's code)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import quantlab as ql
from quantlab.events import significance as sig

EST, GAP, WINDOW, TEST = 12, 2, (-1, 3), (0, 2)


@pytest.fixture(scope="module")
def case():
    """4 events on 4 assets on the same day (one shared estimation window: Kolari-Pynnonen's
    setting), 2 factors, tiny windows, so every number below can be recomputed by hand."""
    rng = np.random.default_rng(11)
    n_bars = 30
    idx = pd.bdate_range("2022-01-03", periods=n_bars)
    f = rng.normal(0, 0.01, (n_bars, 2))
    common = rng.normal(0, 0.01, n_bars)  # cross-correlated residuals
    r = f[:, [0]] * [0.8, 1.1, 1.3, 0.6] + 0.6 * common[:, None] + rng.normal(0, 0.01, (n_bars, 4))
    r[22:25, :2] += 0.02  # abnormal returns on days 0..2 of two events
    prices = pd.DataFrame(100 * np.cumprod(1 + r, axis=0), index=idx, columns=list("ABCD"))
    factors = pd.DataFrame(f, index=idx, columns=["f1", "f2"])
    events = pd.DataFrame({"symbol": list("ABCD"), "available_at": [idx[22]] * 4})
    return prices, factors, events


def by_hand(prices, regressors, events, model):
    """Per event: CAR over TEST, Var(CAR) = iota' V iota with MacKinlay's (1997, eq. 8)
    V = sigma^2 (I + X* (X'X)^-1 X*'), residual df, estimation residuals, and all ARs."""
    p = prices.to_numpy()
    ret = p[1:] / p[:-1] - 1.0  # bar t's return is ret[t - 1]
    x_all = regressors.to_numpy()
    out = []
    for _, ev in events.iterrows():
        j = list(prices.columns).index(ev["symbol"])
        d0 = int(np.argmax(prices.index >= ev["available_at"]))
        est = list(range(d0 + WINDOW[0] - GAP - EST, d0 + WINDOW[0] - GAP))
        win = list(range(d0 + WINDOW[0], d0 + WINDOW[1] + 1))
        y = np.array([ret[t - 1, j] for t in est])
        y_star = np.array([ret[t - 1, j] for t in win])
        if model == "market_adjusted":
            resid = y - x_all[est, 0]
            ar = y_star - x_all[win, 0]
            sigma2 = np.sum((resid - resid.mean()) ** 2) / (len(y) - 1)
            df = len(y) - 1
            v = sigma2 * np.eye(len(win))
        else:
            x = np.column_stack([np.ones(len(est)), x_all[est]])
            x_star = np.column_stack([np.ones(len(win)), x_all[win]])
            theta = np.linalg.lstsq(x, y, rcond=None)[0]
            resid = y - x @ theta
            df = len(y) - x.shape[1]
            sigma2 = resid @ resid / df
            ar = y_star - x_star @ theta
            v = sigma2 * (np.eye(len(win)) + x_star @ np.linalg.inv(x.T @ x) @ x_star.T)
        sel = [i for i, t in enumerate(range(WINDOW[0], WINDOW[1] + 1)) if TEST[0] <= t <= TEST[1]]
        car = ar[sel].sum()
        var = v[np.ix_(sel, sel)].sum()
        out.append({"car": car, "scar": car / np.sqrt(var), "df": df, "resid": resid, "ar": ar})
    return out


@pytest.fixture(scope="module", params=["market", "factor", "market_adjusted"])
def computed(request, case):
    prices, factors, events = case
    model = request.param
    if model == "factor":
        kw, regs = {"factors": factors}, factors
    else:
        kw, regs = {"market": factors["f1"]}, factors[["f1"]]
    study = ql.events.event_study(
        events, prices, model=model, estimation=EST, gap=GAP, window=WINDOW, **kw
    )
    table = study.tests(*TEST, n_boot=200).set_index("statistic")
    return table, by_hand(prices, regs, events, model), study


def test_cars_and_cross_sectional_t(computed):
    table, hand, study = computed
    car = np.array([h["car"] for h in hand])
    np.testing.assert_allclose(study.car(*TEST).to_numpy(), car, rtol=1e-10)
    # t = CAAR / (s / sqrt(N)), s the cross-sectional sd of the CARs (MacKinlay 1997, sec. 4.4
    # with the variance estimated from the cross-section, Brown & Warner 1985)
    n = len(car)
    mean = sum(car) / n
    s = np.sqrt(sum((c - mean) ** 2 for c in car) / (n - 1))
    t = mean / (s / np.sqrt(n))
    assert table.loc["t_cross_section", "value"] == pytest.approx(t, rel=1e-10)
    assert table.loc["t_cross_section", "p_value"] == pytest.approx(2 * stats.t.sf(abs(t), n - 1))
    assert table.loc["t_cross_section", "caar"] == pytest.approx(mean, rel=1e-10)


def test_patell(computed):
    table, hand, _ = computed
    # Patell (1976): Z = sum_i SCAR_i / sqrt(sum_i (n_i - k - 1) / (n_i - k - 3)), where
    # SCAR_i = CAR_i / sqrt(iota' V_i iota) (forecast-error-corrected, MacKinlay eq. 8) and
    # (df)/(df - 2) is the variance of a t variable with df = n_i - k - 1 degrees of freedom
    z = sum(h["scar"] for h in hand) / np.sqrt(sum(h["df"] / (h["df"] - 2) for h in hand))
    assert table.loc["patell", "value"] == pytest.approx(z, rel=1e-9)
    assert table.loc["patell", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-8)


def test_bmp_and_kolari_pynnonen(computed):
    table, hand, _ = computed
    scar = [h["scar"] for h in hand]
    n = len(scar)
    # Boehmer, Musumeci & Poulsen (1991): t = mean(SCAR) / (sd(SCAR) / sqrt(N))
    mean = sum(scar) / n
    sd = np.sqrt(sum((s - mean) ** 2 for s in scar) / (n - 1))
    t_bmp = mean / (sd / np.sqrt(n))
    assert table.loc["bmp", "value"] == pytest.approx(t_bmp, rel=1e-9)
    # Kolari & Pynnonen (2010, eq. 9): t_KP = t_BMP sqrt((1 - r) / (1 + (N - 1) r)),
    # r = average sample correlation of the estimation-window residuals over the pairs
    corr = np.corrcoef(np.array([h["resid"] for h in hand]))
    rbar = np.mean([corr[i, k] for i in range(n) for k in range(n) if i != k])
    assert table.loc["kolari_pynnonen", "rbar"] == pytest.approx(rbar, rel=1e-8)
    t_kp = t_bmp * np.sqrt((1 - rbar) / (1 + (n - 1) * rbar))
    assert table.loc["kolari_pynnonen", "value"] == pytest.approx(t_kp, rel=1e-8)


def test_corrado_rank(computed):
    table, hand, _ = computed
    # Corrado (1989) with Corrado & Zivney's (1992) standardized ranks U = rank / (M + 1)
    # over the estimation and event days of each event, Cowan's (1992) multi-day statistic:
    # Ubar_t = mean_i (U_it - 1/2), S_U = sqrt(mean_t Ubar_t^2) over all days,
    # Z = sum_{t in window} Ubar_t / (sqrt(L) S_U)
    rows = []
    for h in hand:
        series = np.concatenate([h["resid"], h["ar"]])
        rows.append(stats.rankdata(series) / (len(series) + 1) - 0.5)
    ubar = np.mean(rows, axis=0)
    s_u = np.sqrt(np.mean(ubar**2))
    days = [EST + (t - WINDOW[0]) for t in range(TEST[0], TEST[1] + 1)]
    z = sum(ubar[d] for d in days) / (np.sqrt(len(days)) * s_u)
    assert table.loc["corrado", "value"] == pytest.approx(z, rel=1e-9)


def test_generalized_sign(computed):
    table, hand, _ = computed
    # Cowan (1992): p = mean_i (share of positive estimation residuals of event i),
    # w = events with CAR > 0, Z = (w - N p) / sqrt(N p (1 - p))
    n = len(hand)
    p = sum(sum(1 for e in h["resid"] if e > 0) / len(h["resid"]) for h in hand) / n
    w = sum(1 for h in hand if h["car"] > 0)
    z = (w - n * p) / np.sqrt(n * p * (1 - p))
    assert table.loc["generalized_sign", "value"] == pytest.approx(z, rel=1e-12)


def test_percentile_bootstrap_matches_scipy():
    rng = np.random.default_rng(5)
    car = rng.standard_t(4, 60) * 0.02 + 0.004
    got = sig.bootstrap(car, 20_000, 0.9, np.random.default_rng(0), method="percentile")
    ref = stats.bootstrap(
        (car,),
        np.mean,
        n_resamples=20_000,
        confidence_level=0.9,
        method="percentile",
        random_state=1,
    ).confidence_interval
    width = ref.high - ref.low
    assert got.value == pytest.approx(car.mean())
    assert got.ci_low == pytest.approx(ref.low, abs=0.03 * width)
    assert got.ci_high == pytest.approx(ref.high, abs=0.03 * width)
    # the p-value: twice the smaller share of resampled means beyond zero (normal approx.)
    se = car.std(ddof=1) / np.sqrt(len(car))
    assert got.p_value == pytest.approx(2 * stats.norm.sf(car.mean() / se), abs=0.03)


def test_studentized_bootstrap_approaches_the_t_interval_on_normal_data():
    # for normal data the bootstrap-t distribution of (mean* - mean) / se* approximates
    # Student's t with n - 1 df (Efron & Tibshirani 1993, ch. 12): interval mean -+ t q se
    rng = np.random.default_rng(8)
    car = rng.normal(0.01, 0.05, 25)
    got = sig.bootstrap(car, 40_000, 0.95, np.random.default_rng(2))
    se = car.std(ddof=1) / np.sqrt(25)
    q = stats.t.ppf(0.975, 24)
    assert got.ci_low == pytest.approx(car.mean() - q * se, abs=0.15 * se)
    assert got.ci_high == pytest.approx(car.mean() + q * se, abs=0.15 * se)
    t = car.mean() / se
    assert got.p_value == pytest.approx(2 * stats.t.sf(abs(t), 24), abs=0.02)
