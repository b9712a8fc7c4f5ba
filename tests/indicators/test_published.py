"""Indicators against published values and TA-Lib.

Data: the 33 closes of StockCharts' "RSI" ChartSchool worked example (Wilder's 14-period
RSI), with synthetic high/low/volume derived from them:
    i = arange(33); high = close + 0.1 + 0.05 * (i % 4); low = close - 0.12 - 0.04 * (i % 3)
    volume = 1000 + 100 * (i % 7)

TA-Lib values recipe (TA-Lib 0.6 C library via the ``ta-lib`` Python wheel 0.6.8, not a
test dependency), printed with '%.12g':
    talib.RSI(close, 14), talib.EMA(close, 10), talib.WMA(close, 5), talib.ATR(h, l, c, 5),
    talib.STOCHF(h, l, c, 5, 3, 0), talib.OBV(close, volume), talib.ROC(close, 3),
    talib.BBANDS(close, 5, 2, 2, 0), talib.MACD(close, 5, 10, 3)
"""

from __future__ import annotations

import numpy as np
import pytest

import quantlab.indicators as qi

CLOSE = np.array(
    [44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89, 46.03,
     45.61, 46.28, 46.28, 46.00, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45,
     45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13]
)  # fmt: skip
_I = np.arange(CLOSE.size)
HIGH = CLOSE + 0.1 + 0.05 * (_I % 4)
LOW = CLOSE - 0.12 - 0.04 * (_I % 3)
VOLUME = 1000.0 + 100 * (_I % 7)

# StockCharts' table, recomputed at full precision and rounded to 2 decimals (StockCharts
# itself rounds the intermediate averages, so its printed first value reads 70.53).
RSI14_PUBLISHED = [
    70.46, 66.25, 66.48, 69.35, 66.29, 57.92, 62.88, 63.21, 56.01, 62.34, 54.67, 50.39,
    40.02, 41.49, 41.90, 45.50, 37.32, 33.09, 37.79,
]  # fmt: skip

TALIB = {
    "rsi14": [70.4641350211, 66.2496185536, 66.4809418347, 69.3468531629, 66.2947126589,
              57.9150206701, 62.88071831, 63.2087887183, 56.0115847895, 62.3399293109,
              54.6709713777, 50.3868151951, 40.0194237913, 41.4926354042, 41.9024296785,
              45.4994972387, 37.3227783134, 33.0904825727, 37.7887719821],
    "ema10": [44.779, 44.981, 45.1717272727, 45.2514132231, 45.4384290008, 45.5914419097,
              45.6657251989, 45.7319569809, 45.8552375298, 45.9215579789, 45.8703656191,
              45.9321173247, 45.9899141748, 45.9390206885, 46.0319260178, 45.9861212873,
              45.8704628714, 45.5358332585, 45.2893181206, 45.0948966441, 44.9994608906,
              44.7122861832, 44.3391432408, 44.1192990152],
    "wma5": [44.0706666667, 44.3126666667, 44.612, 44.9506666667, 45.3446666667, 45.67,
             45.8153333333, 45.9366666667, 45.856, 45.986, 46.0866666667, 46.0806666667,
             46.0773333333, 46.2006666667, 46.2073333333, 46.0246666667, 46.0746666667,
             46.124, 45.9786666667, 46.1266666667, 46.036, 45.7926666667, 45.1666666667,
             44.7386666667, 44.426, 44.3786666667, 44.0286666667, 43.554, 43.3273333333],
    "atr5": [0.588, 0.5644, 0.56552, 0.556416, 0.5231328, 0.49050624, 0.482404992,
             0.4939239936, 0.55913919488, 0.527311355904, 0.501849084723, 0.453479267779,
             0.468783414223, 0.439026731378, 0.499221385103, 0.533377108082, 0.480701686466,
             0.524561349173, 0.617649079338, 0.65211926347, 0.639695410776, 0.815756328621,
             0.732605062897, 0.638084050317, 0.610467240254, 0.742373792203, 0.777899033763,
             0.73631922701],
    "stochf_k": [88.9502762431, 88.5321100917, 94.3502824859, 90.625, 72.8, 75.4901960784,
                 15.1898734177, 84.0425531915, 79.797979798, 51.5151515152, 54.5454545455,
                 78.2608695652, 50.7246376812, 14.8148148148, 67.5925925926, 71.2962962963,
                 24.4680851064, 79.5081967213, 20.0, 10.5960264901, 6.96864111498,
                 12.1951219512, 19.0243902439, 44.3113772455, 8.45070422535, 7.20720720721,
                 28.3783783784],
    "stochf_d": [89.1014049269, 89.1384240803, 90.6108896069, 91.1691308592, 85.925094162,
                 79.6383986928, 54.4933564987, 58.2408742292, 59.6768021357, 71.7852281682,
                 61.9528619529, 61.4404918753, 61.1769872639, 47.9334406871, 44.3773483629,
                 51.2345679012, 54.4523246651, 58.424192708, 41.3254272759, 36.7014077371,
                 12.5215558683, 9.91992985209, 12.7293844367, 25.1769631469, 23.9288239049,
                 19.9897628927, 14.6787632703],
    "obv": [1000.0, -100.0, 1100.0, -200.0, 1200.0, 2700.0, 4300.0, 5300.0, 6400.0, 7600.0,
            6300.0, 7700.0, 6200.0, 7800.0, 7800.0, 6700.0, 7900.0, 9200.0, 7800.0, 6300.0,
            7900.0, 8900.0, 7800.0, 9000.0, 7700.0, 6300.0, 4800.0, 6400.0, 7400.0, 8500.0,
            7300.0, 6000.0, 7400.0],
    "roc3": [-1.64636896707, 0.544341120435, 1.54020385051, 3.4166475579, 2.45883149109,
             2.25295561008, 2.17294900222, 1.03478643769, 0.414485165794, -1.01996527778,
             0.849858356941, 0.543124049533, 0.855075641307, -0.540190146932, 0.280898876404,
             0.478260869565, -0.847273517271, -0.430941607412, 0.0649069666811,
             0.153374233129, 0.519368102142, -1.01621621622, -0.787573835047, -5.20990312164,
             -3.49497597204, -2.49173098126, 1.22643652055, -1.72023540063, -3.52781546811,
             -3.23087278438],
    "bb5_upper": [44.6355035277, 44.9901522696, 45.4494931851, 45.9265361642, 46.1299512659,
                  46.3734433098, 46.3774604697, 46.3183732411, 46.2205752562, 46.4229539302,
                  46.5241857367, 46.5313654445, 46.5313654445, 46.5172380809, 46.4966486676,
                  46.5730302135, 46.6228301067, 46.6722090839, 46.5489696124, 46.6902977362,
                  46.6524334022, 46.6967610538, 47.064479928, 47.0174364738, 46.136887364,
                  45.4185146282, 44.8364466759, 45.1832297696, 45.0034813857],
    "bb5_lower": [43.5724964723, 43.4138477304, 43.3585068149, 43.3894638358, 44.0780487341,
                  44.5345566902, 44.9545395303, 45.3856267589, 45.5594247438, 45.5330460698,
                  45.5118142633, 45.5486345555, 45.5486345555, 45.8827619191, 45.8793513324,
                  45.5469697865, 45.5811698933, 45.6197909161, 45.4630303876, 45.4137022638,
                  45.5075665978, 45.1192389462, 43.863520072, 43.2985635262, 43.287112636,
                  43.5214853718, 43.3315533241, 42.4367702304, 42.1965186143],
    "macd_tail5": [-0.444452934238, -0.375831750717, -0.489866756632, -0.63753028976,
                   -0.608223714511],
    "macd_signal_tail5": [-0.369173300269, -0.372502525493, -0.431184641063,
                          -0.534357465411, -0.571290589961],
}  # fmt: skip


def check(got, expected, first, rtol=1e-10):
    """``got`` is NaN before bar ``first`` (the TA-Lib look-back) and equals ``expected`` after."""
    got = np.asarray(got, dtype=float)
    assert np.isnan(got[:first]).all()
    np.testing.assert_allclose(got[first:], expected, rtol=rtol, atol=1e-9)


def test_rsi_matches_stockcharts_worked_example():
    got = np.asarray(qi.rsi(CLOSE, 14))
    np.testing.assert_allclose(got[14:], RSI14_PUBLISHED, atol=0.005 + 1e-12)


@pytest.mark.parametrize(
    ("key", "first", "compute"),
    [
        ("rsi14", 14, lambda: qi.rsi(CLOSE, 14)),
        ("ema10", 9, lambda: qi.ema(CLOSE, 10)),
        ("wma5", 4, lambda: qi.wma(CLOSE, 5)),
        ("atr5", 5, lambda: qi.atr(HIGH, LOW, CLOSE, 5)),
        ("stochf_d", 6, lambda: qi.stochastic(HIGH, LOW, CLOSE, 5, 3).d),
        ("obv", 0, lambda: qi.obv(CLOSE, VOLUME)),
        ("roc3", 3, lambda: qi.roc(CLOSE, 3)),
        ("bb5_upper", 4, lambda: qi.bollinger(CLOSE, 5, 2.0).upper),
        ("bb5_lower", 4, lambda: qi.bollinger(CLOSE, 5, 2.0).lower),
    ],
)
def test_matches_talib(key, first, compute):
    check(compute(), TALIB[key], first)


def test_stochastic_k_starts_earlier_than_talib_but_agrees():
    # TA-Lib aligns %K on %D's first bar (6); ours starts at bar k_window - 1 = 4.
    got = np.asarray(qi.stochastic(HIGH, LOW, CLOSE, 5, 3).k)
    assert np.isnan(got[:4]).all() and not np.isnan(got[4:]).any()
    np.testing.assert_allclose(got[6:], TALIB["stochf_k"], rtol=1e-10)


def test_macd_converges_to_talib():
    # TA-Lib seeds the fast EMA at the slow EMA's first bar; the seeds decay geometrically
    # ((1 - 2/6) ** 20 ~ 3e-4 after 20 bars), so only the tail is compared, loosely.
    res = qi.macd(CLOSE, 5, 10, 3)
    np.testing.assert_allclose(np.asarray(res.macd)[-5:], TALIB["macd_tail5"], atol=1e-4)
    np.testing.assert_allclose(np.asarray(res.signal)[-5:], TALIB["macd_signal_tail5"], atol=1e-4)
    first_macd = np.flatnonzero(~np.isnan(np.asarray(res.macd)))[0]
    first_signal = np.flatnonzero(~np.isnan(np.asarray(res.signal)))[0]
    assert (first_macd, first_signal) == (9, 11)  # TA-Lib look-backs: slow - 1, + signal - 1


def test_flat_prices_give_neutral_oscillators():
    flat = np.full(30, 10.0)
    assert np.asarray(qi.rsi(flat, 14))[14:].tolist() == [50.0] * 16
    assert np.asarray(qi.stochastic(flat, flat, flat, 5, 3).k)[4:].tolist() == [50.0] * 26
    assert np.asarray(qi.atr(flat, flat, flat, 5))[5:].tolist() == [0.0] * 25
