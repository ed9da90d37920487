"""Profile loading and validation: errors name the key."""

from __future__ import annotations

import pytest
import yaml
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
