"""A local server speaking the documented ModelArts model and service APIs (tests, classrooms).

A teacher runs ``ma-widgets emulator --port 8899`` and students point the ``modelarts`` backend
at it (``MODELARTS_ENDPOINT`` and ``MODELARTS_IAM_ENDPOINT`` = ``http://127.0.0.1:8899``, any
user name, password, domain and project; or an access key / secret key the teacher gave with
``--access-key``). Models are kept in memory; deployed services really run on this machine and
are removed when the emulator stops. It listens on 127.0.0.1 only; routes and fault hooks are
listed in ``emulator/app.py``.
"""

from ma_widgets.emulator.server import EmulatorServer
from ma_widgets.emulator.state import EmulatorState, project_id_for

__all__ = ["EmulatorServer", "EmulatorState", "project_id_for"]
