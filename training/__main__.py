"""``python -m training ...`` is ``arena train ...``: the module a launcher starts in every
process (``accelerate launch -m training --game kuhn_poker ...``)."""

import sys

from training.cli import train_from_argv

sys.exit(train_from_argv())
