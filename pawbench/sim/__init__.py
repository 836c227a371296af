"""The built-in simulated OpenAI-compatible endpoint (``pawbench sim serve``, and what
``pawbench run`` talks to when no ``--endpoint`` is given). It says so: every response carries
``x-pawbench-simulated: true`` and ``/version`` reports ``"simulated": true``.

See docs/simulator.md for the serving model, the profiles, the personas and the faults.
"""

from __future__ import annotations

from pawbench.sim.faults import Faults
from pawbench.sim.personas import PERSONAS
from pawbench.sim.profiles import Profile, default_profile_name, get_profile, load_profiles
from pawbench.sim.runner import SimServer, SimThread, start_in_thread
from pawbench.sim.server import SIMULATED_HEADER

__all__ = [
    "PERSONAS",
    "SIMULATED_HEADER",
    "Faults",
    "Profile",
    "SimServer",
    "SimThread",
    "default_profile_name",
    "get_profile",
    "load_profiles",
    "start_in_thread",
]
