"""The shipped recipes in models/ validate; recipe errors name the key (pinned messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantlab.errors import NotFoundError, ParameterError
from quantlab.tracking import load_recipe, validate_recipe
from quantlab.tracking.train import _feature_set

MODELS = Path(__file__).resolve().parents[2] / "models"
RECIPES = sorted(MODELS.glob("*.toml"))


def test_the_required_recipes_ship() -> None:
    assert {"momentum_lgbm", "linear_baseline", "events_lgbm"} <= {p.stem for p in RECIPES}


@pytest.mark.parametrize("path", RECIPES, ids=[p.stem for p in RECIPES])
def test_shipped_recipe_is_valid(path: Path) -> None:
    from quantlab.models import make_model

    recipe = load_recipe(path)
    assert recipe == validate_recipe(recipe)
    assert recipe["name"] == path.stem
    assert recipe["register_as"] and recipe["alias"] == "production"
    assert recipe["cv"]["kind"] == "purged_kfold"
    assert recipe["montecarlo"]["n_paths"] > 0 and recipe["report"]["enabled"]
    make_model(recipe["model"]["name"], **recipe["model"]["params"])  # params accepted
    _feature_set(recipe["features"], has_events=True)  # feature specs accepted


def test_events_recipe_uses_event_features() -> None:
    fs = _feature_set(load_recipe(MODELS / "events_lgbm.toml")["features"], has_events=True)
    assert fs.needs_events
    main = _feature_set(load_recipe(MODELS / "momentum_lgbm.toml")["features"], True)
    assert not main.needs_events


def test_montecarlo_and_report_defaults() -> None:
    r = validate_recipe({})
    assert r["montecarlo"] == {
        "n_paths": 1000,
        "horizon": 252,
        "method": "stationary_bootstrap",
        "seed": 0,
    }
    assert r["report"] == {"enabled": True, "dir": "reports"}


def test_unknown_key_is_named() -> None:
    with pytest.raises(
        ParameterError,
        match=r"^unknown recipe key 'montecarlo.n_path' \(did you mean 'montecarlo.n_paths'\?\); "
        r"\[montecarlo\] accepts \['block_length', 'horizon', 'method', 'n_paths', 'seed'\]$",
    ):
        validate_recipe({"montecarlo": {"n_path": 10}})
    with pytest.raises(
        ParameterError, match=r"^unknown recipe key 'reprot' \(did you mean 'report'\?\)"
    ):
        validate_recipe({"reprot": {}})


def test_wrong_type_is_named() -> None:
    with pytest.raises(
        ParameterError, match=r"^recipe key 'montecarlo.n_paths' must be int; got str '500'$"
    ):
        validate_recipe({"montecarlo": {"n_paths": "500"}})
    with pytest.raises(
        ParameterError, match=r"^recipe key 'report.enabled' must be bool; got str 'yes'$"
    ):
        validate_recipe({"report": {"enabled": "yes"}})
    with pytest.raises(ParameterError, match=r"^recipe key 'montecarlo' must be table; got int"):
        validate_recipe({"montecarlo": 5})
    with pytest.raises(
        ParameterError,
        match=r"^recipe key 'montecarlo.method' must be one of \['bootstrap', "
        r"'stationary_bootstrap'",
    ):
        validate_recipe({"montecarlo": {"method": "stationary"}})
    with pytest.raises(
        ParameterError, match=r"^recipe key 'montecarlo.horizon' must be >= 1; got 0$"
    ):
        validate_recipe({"montecarlo": {"horizon": 0}})


def test_missing_data_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        NotFoundError,
        match=r"^recipe key 'data.source': file 'prices.csv' does not exist \(working "
        r"directory .*\); pass the path of a .csv / .parquet file or \"sample\"",
    ):
        validate_recipe({"data": {"source": "prices.csv"}})
    with pytest.raises(
        NotFoundError, match=r"^recipe key 'data.events': file 'ev.parquet' does not exist"
    ):
        validate_recipe({"data": {"events": "ev.parquet"}})
    with pytest.raises(NotFoundError, match=r"^recipe file 'nope.toml' does not exist$"):
        load_recipe("nope.toml")


def test_relative_data_path_resolves_next_to_the_recipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "prices.csv").write_text("date,symbol,close\n")
    (tmp_path / "recipes" / "r.toml").write_text('[data]\nsource = "prices.csv"\n')
    monkeypatch.chdir(tmp_path)
    recipe = load_recipe("recipes/r.toml")
    assert Path(recipe["data"]["source"]).resolve() == tmp_path / "recipes" / "prices.csv"


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[model\nname = 1\n")
    with pytest.raises(ParameterError, match=r"is not valid TOML") as exc:
        load_recipe(path)
    assert "\n" not in str(exc.value)


def test_feature_typos_are_refused_in_every_form() -> None:
    # issue 13 item 2: a mapping of features ignored typos and trained another model
    flat = validate_recipe({"features": [{"kind": "ret", "window": 5}]})
    assert _feature_set(flat["features"], has_events=False).names == ["ret_5"]
    mapping = validate_recipe({"features": {"features": [{"kind": "ret", "window": 5}]}})
    assert _feature_set(mapping["features"], has_events=False).names == ["ret_5"]
    with pytest.raises(
        ParameterError,
        match=r"^recipe key 'features\[0\]': feature kind 'ret' has no parameter\(s\) "
        r"\['windw'\]",
    ):
        validate_recipe({"features": [{"kind": "ret", "windw": 5}]})
    with pytest.raises(
        ParameterError,
        match=r"^recipe key 'features': feature kind 'ret' has no parameter\(s\) \['windw'\]",
    ):
        validate_recipe({"features": {"features": [{"kind": "ret", "windw": 5}]}})
    with pytest.raises(
        ParameterError, match=r"^recipe key 'features': unknown FeatureSet key\(s\) \['feature'\]"
    ):
        validate_recipe({"features": {"feature": [{"kind": "ret"}]}})


def test_choice_lists_come_from_their_owners() -> None:
    # issue 13 item 15: MC_METHODS / CV_KINDS were copies that could drift from their owners
    import quantlab.ml
    from quantlab.montecarlo import METHODS
    from quantlab.tracking import recipe as R

    assert R.MC_METHODS == tuple(METHODS)
    assert R.CV_KINDS == tuple(R.CV_SPLITTERS)
    for kind, cls in R.CV_SPLITTERS.items():
        assert isinstance(getattr(quantlab.ml, cls), type), kind
    for method in METHODS:
        assert validate_recipe({"montecarlo": {"method": method}})["montecarlo"]["method"] == method
    with pytest.raises(ParameterError, match=r"'montecarlo.method' must be one of \['bootstrap'"):
        validate_recipe({"montecarlo": {"method": "bootstrapp"}})


def test_config_hash_ignores_what_is_not_the_strategy() -> None:
    from quantlab.tracking.recipe import config_hash

    base = {"model": {"name": "lgbm", "params": {"num_leaves": 4}}}
    h = config_hash(base)
    same = {
        **base,
        "name": "rerun",
        "experiment": "other",
        "trial_family": "search",
        "data": {"seed": 9},
        "montecarlo": {"n_paths": 0, "seed": 3},
        "report": {"enabled": False},
        "baseline": {"name": "ridge"},
    }
    assert config_hash(same) == h
    assert (
        config_hash({"model": {"name": "lgbm", "params": {"random_state": 1, "num_leaves": 4}}})
        == h
    )
    for other in (
        {"model": {"name": "lgbm", "params": {"num_leaves": 8}}},
        {**base, "label": {"horizon": 10}},
        {**base, "costs": {"fees": 0.001}},
        {**base, "features": [{"kind": "ret", "window": 5}]},
    ):
        assert config_hash(other) != h, other
    with pytest.raises(ParameterError, match=r"'trial_family' must be letters, digits"):
        validate_recipe({"trial_family": "a b'"})
    with pytest.raises(ParameterError, match=r"\[baseline\] needs 'name'"):
        validate_recipe({"baseline": {"params": {"alpha": 1.0}}})
