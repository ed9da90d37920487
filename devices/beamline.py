"""Factory that builds the simulated beamline from a profile (nothing is created at import)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from axsuite.analysis import xray

from .detectors import Arm, BeamPath, Discriminator, DwellTime, IonChamber, RingCurrent, SampleStage
from .ionbeam import make_ion_beam
from .models.absorber import Absorber, IonChamberModel, gas_absorber
from .models.nearedge import nearedge_models
from .models.spectrum import DetectorResponse
from .mono import DCM
from .powder import make_powder
from .scattering import ScatteringDetector, make_axs_samples


def make_absorbers(profile) -> dict[str, Absorber]:
    """Absorber models of every profile sample (composition, g/cm³, cm); elements listed in
    the profile's ``nearedge`` section get their near-edge truth model."""
    edges = nearedge_models(getattr(profile, "nearedge", None) or {}, profile.mono.bandwidth)
    absorbers = {}
    for name, s in profile.samples.items():
        composition = xray.parse_formula(s.composition)
        absorbers[name] = Absorber(
            composition=composition,
            density_g_cm3=s.density_g_cm3,
            thickness_cm=s.thickness_cm,
            nearedge={el: m for el, m in edges.items() if el in composition},
        )
    return absorbers


def make_beamline(
    profile, *, rng: np.random.Generator | None = None, simulate_time: bool = False
) -> SimpleNamespace:
    """Build every simulated device of ``profile``.

    Parameters
    ----------
    profile : axsuite.session.profile.Profile
    rng : random generator for all counting noise (default: seeded from ``profile.seed``)
    simulate_time : if True, counters take ``count_time`` seconds and motors settle

    Returns a namespace with ``dcm``, ``ring``, ``stage``, ``ref_wheel``, ``arm``, ``I0``,
    ``It``, ``Iref``, ``disc``, ``dwell``, ``beam`` and ``profile``.
    """
    rng = np.random.default_rng(profile.seed) if rng is None else rng
    m = profile.mono
    dcm = DCM(
        name="dcm",
        true_offset_deg=m.true_offset_deg,
        energy_limits_eV=(m.energy_min_eV, m.energy_max_eV),
        settle_time=m.settle_s if simulate_time else 0.0,
    )
    dcm.d_spacing.put(m.d_spacing_A)
    dcm.offset.put(m.offset_deg)
    dcm.calibration_date.put(m.calibration_date)
    dcm.bandwidth.put(m.bandwidth)
    ring = RingCurrent(name="ring")
    ring.nominal.put(profile.source.ring_current_mA)
    ring.current.put(profile.source.ring_current_mA)
    absorbers = make_absorbers(profile)
    stage = SampleStage(name="stage", absorbers=absorbers)
    ref_wheel = SampleStage(name="ref_wheel", absorbers=absorbers)
    arm = Arm(name="arm", limits_deg=(profile.arm.two_theta_min_deg, profile.arm.two_theta_max_deg))
    chambers = {
        key: IonChamberModel(gas_absorber(c.gas, c.length_cm, c.pressure_atm, c.temperature_K))
        for key, c in profile.ion_chambers.items()
    }
    beam = BeamPath(dcm, ring, stage, ref_wheel, chambers, profile.source.flux_ph_s)
    counters = {}
    for key, c in profile.ion_chambers.items():
        ic = IonChamber(name=key, beam=beam, position=key, rng=rng, simulate_time=simulate_time)
        ic.gas.put(", ".join(f"{g} {f:g}" for g, f in c.gas.items()))
        ic.length_cm.put(c.length_cm)
        counters[key] = ic
    d = profile.discriminator
    response = DetectorResponse(
        d.noise_fwhm_eV, d.fano, d.pair_energy_eV, d.n_channels, d.ev_per_channel, d.dead_time_s
    )
    disc = Discriminator(
        name="disc",
        beam=beam,
        arm=arm,
        response=response,
        rois={k: (r.low_eV, r.high_eV) for k, r in d.rois.items()},
        elastic_halfwidth_fwhm=d.elastic_halfwidth_fwhm,
        compton_halfwidth_eV=d.compton_halfwidth_eV,
        polarization_h=profile.source.polarization_h,
        doppler_fraction=d.doppler_fraction,
        solid_angle_sr=d.solid_angle_sr,
        saturation_dead_fraction=d.saturation_dead_fraction,
        rng=rng,
        simulate_time=simulate_time,
    )
    disc.phi_deg.put(d.phi_deg)
    dwell = DwellTime(name="dwell", value=1.0, counters=[*counters.values(), disc])
    ion_beam = {}
    if getattr(profile, "ion_beam", None) is not None:
        ion_beam = make_ion_beam(profile.ion_beam, rng=rng, simulate_time=simulate_time)
        dwell.counters.append(ion_beam["pdet"])
    axs = {}
    if getattr(profile, "axs", None) is not None:
        ax = profile.axs
        scat = ScatteringDetector(
            name="scat",
            beam=beam,
            arm=arm,
            disc=disc,
            samples=make_axs_samples(
                ax, nearedge_models(getattr(profile, "nearedge", None) or {}, m.bandwidth)
            ),
            response=response,
            doppler_fraction=d.doppler_fraction,
            saturation_dead_fraction=d.saturation_dead_fraction,
            rng=rng,
            simulate_time=simulate_time,
        )
        scat.sample.put(ax.sample)
        scat.solid_angle.put(ax.solid_angle_sr)
        scat.phi_deg.put(ax.phi_deg)
        p_h = profile.source.polarization_h if ax.polarization_h is None else ax.polarization_h
        scat.polarization_h.put(p_h)
        dwell.counters.append(scat)
        axs = {"scat": scat}
    powder = {}
    if getattr(profile, "powder", None) is not None:
        xrd = make_powder(
            profile, dcm=dcm, arm=arm, ring=ring, rng=rng, simulate_time=simulate_time
        )
        dwell.counters.append(xrd)
        powder = {"xrd": xrd}
    return SimpleNamespace(
        profile=profile,
        rng=rng,
        dcm=dcm,
        ring=ring,
        stage=stage,
        ref_wheel=ref_wheel,
        arm=arm,
        beam=beam,
        disc=disc,
        dwell=dwell,
        **counters,
        **ion_beam,
        **axs,
        **powder,
    )
