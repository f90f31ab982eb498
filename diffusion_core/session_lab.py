"""The lab's requests (beliefs, infilling, samplers, quality, ELBO): mixed into Session.

Each ``do_<method>(self, args)`` here is a protocol method like those in
:mod:`diffusion_core.session`; it may use ``self.slots`` and the helpers there.
"""

from __future__ import annotations


class LabMethods:
    """Protocol methods of the diffusion lab (see the module docstring)."""
