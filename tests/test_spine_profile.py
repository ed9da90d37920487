"""Profile loading and validation: errors name the key."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
import yaml
from axsuite.session.cli import main
from axsuite.session.profile import PROFILE_DIR, ProfileError, load_profile


def _write(tmp_path, mutate):
    raw = yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())
    mutate(raw)
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(raw))
    return p


def test_default_profile_loads(profile):
    assert profile.mono.d_spacing_A == pytest.approx(3.1356)
    assert {"cu_foil", "zr_foil", "cuzr_ribbon"} <= set(profile.samples)
    assert len(profile.content_hash) == 16


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda r: r["mono"].update(d_spacing_A=-1.0), "mono"),
        (lambda r: r["mono"].update(colour="blue"), "mono.colour"),
        (lambda r: r.update(bogus=1), "bogus"),
        (lambda r: r["mono"].pop("d_spacing_A"), "mono.d_spacing_A"),
        (lambda r: r["source"].update(flux_ph_s="lots"), "source.flux_ph_s"),
        (lambda r: r["samples"]["cu_foil"].update(thickness_cm=0), "samples.cu_foil"),
        (lambda r: r["ion_chambers"]["I0"].update(gas={"N2": 0.5}), "ion_chambers.I0"),
        (
            lambda r: r["discriminator"]["rois"]["Cu_K"].update(low_eV=9000.0),
            "discriminator.rois.Cu_K",
        ),
        (lambda r: r["reference_foils"].update(Cu="nope"), "reference_foils.Cu"),
    ],
)
def test_profile_errors_name_the_key(tmp_path, mutate, key):
    with pytest.raises(ProfileError) as err:
        load_profile(_write(tmp_path, mutate))
    assert key in str(err.value)


def test_profile_extends_merges(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {PROFILE_DIR / 'default.yaml'}\nname: child\nmono: {{offset_deg: 0.01}}\n"
    )
    p = load_profile(child)
    assert p.name == "child" and p.mono.offset_deg == 0.01 and p.mono.d_spacing_A == 3.1356


def test_unknown_profile_name():
    with pytest.raises(ProfileError, match="unknown profile"):
        load_profile("no-such-profile")


@pytest.mark.parametrize(
    ("mutate", "key", "words"),
    [
        (
            lambda r: r["samples"]["cuzr_ribbon"].update(composition={"Cu": 0.4, "Zr": 0.4}),
            "samples.cuzr_ribbon.composition",
            "sum to 1",
        ),
        (
            lambda r: r["samples"]["cuzr_ribbon"].update(composition={"Cu": 0.5, "Xx": 0.5}),
            "samples.cuzr_ribbon.composition",
            "'Xx'",
        ),
        (
            lambda r: r["samples"]["cu_foil"].update(composition="Qq"),
            "samples.cu_foil.composition",
            "'Qq'",
        ),
        (lambda r: r["ion_chambers"]["I0"].update(gas={"Xx": 1.0}), "ion_chambers.I0.gas.Xx", "Xx"),
        (lambda r: r["nearedge"].update(Xx={"edge": "K"}), "nearedge.Xx", "unknown element"),
        (lambda r: r["nearedge"]["Cu"].update(edge="L9"), "nearedge.Cu.edge", "L9"),
        (
            lambda r: r["discriminator"]["rois"].update(Xx_K={"low_eV": 1.0, "high_eV": 2.0}),
            "discriminator.rois.Xx_K",
            "unknown element",
        ),
        (lambda r: r["ion_beam"].update(ion="unobtainium"), "ion_beam.ion", "unknown ion"),
        (
            lambda r: r["source"].update(dump_threshold_mA=360.0),
            "source.refill_threshold_mA",
            "dump_threshold_mA",
        ),
        (
            lambda r: r["mono"].update(calibration_date="yesterday"),
            "mono.calibration_date",
            "ISO date",
        ),
        (
            lambda r: r["axs"]["samples"]["cuzr_glass"].update(packing=0.7),
            "axs.samples.cuzr_glass.packing",
            "0.64",
        ),
        (lambda r: r["powder"].update(background=[1.0, "x"]), "powder.background[1]", "'x'"),
        (lambda r: r.update(seed=True), "seed", "integer"),
        (lambda r: r["live"].update(table="huge"), "live.table", "'huge'"),
    ],
)
def test_schema_checks_name_the_key(tmp_path, mutate, key, words):
    def with_live(raw):
        raw.setdefault("live", {})
        mutate(raw)

    with pytest.raises(ProfileError) as err:
        load_profile(_write(tmp_path, with_live))
    assert str(err.value).startswith(f"{key}: ") and words in str(err.value)


def test_numbers_as_yaml_text_and_dates_load(tmp_path):
    """YAML 1.1 reads 1.0e9 as text and an unquoted date as a date: both are accepted."""
    p = tmp_path / "p.yaml"
    p.write_text(
        f"extends: {PROFILE_DIR / 'default.yaml'}\n"
        "source: {flux_ph_s: 2.0e9}\nmono: {calibration_date: 2026-11-02}\n"
    )
    prof = load_profile(p)
    assert prof.source.flux_ph_s == 2.0e9 and prof.mono.calibration_date == "2026-11-02"


def test_loaded_profile_is_frozen_and_replace_validates(profile):
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.mono.offset_deg = 1.0  # type: ignore[misc]
    assert dataclasses.replace(profile.mono, offset_deg=0.5).offset_deg == 0.5
    with pytest.raises(ValueError, match="d_spacing_A"):
        dataclasses.replace(profile.mono, d_spacing_A=-1.0)


def test_axs_profile_check_names_the_key(tmp_path, capsys):
    bad = _write(tmp_path, lambda r: r["discriminator"]["rois"]["Cu_K"].update(high_eV="wide"))
    assert main(["profile", "check", str(PROFILE_DIR / "default.yaml"), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "default.yaml: ok" in out
    assert err.count("\n") == 1 and "discriminator.rois.Cu_K.high_eV" in err and str(bad) in err


def test_json_schema_validates_the_default_profile(tmp_path, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["profile", "schema", "-o", str(tmp_path / "s.json")]) == 0
    schema = json.loads((tmp_path / "s.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    raw = yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())
    assert list(validator.iter_errors(raw)) == []
    # the schema refuses what the loader refuses: an unknown key, a word for a number,
    # a value out of range, a missing required key
    for mutate, path in [
        (lambda r: r["mono"].update(colour="blue"), ["mono"]),
        (lambda r: r["source"].update(flux_ph_s="lots"), ["source", "flux_ph_s"]),
        (lambda r: r["discriminator"].update(fano=1.5), ["discriminator", "fano"]),
        (lambda r: r["arm"].pop("two_theta_min_deg"), ["arm"]),
    ]:
        broken = copy.deepcopy(raw)
        mutate(broken)
        assert [list(e.absolute_path) for e in validator.iter_errors(broken)] == [path]
        with pytest.raises(ProfileError):
            load_profile(_write(tmp_path, mutate))
