"""Startup module of ``axs queue-server``: bluesky-queueserver imports it in its RE worker.

Importing it builds a session (profile from ``$AXSUITE_PROFILE``, data directory from
``$AXSUITE_DATA``) and exposes ``RE``, the devices and the plans; nothing else imports it.
"""

import os

from axsuite.session.qserver import PROFILE_ENV, queue_namespace
from axsuite.session.session import build_session

_session = build_session(os.environ.get(PROFILE_ENV, "default"), progress=False)
globals().update(queue_namespace(_session))
