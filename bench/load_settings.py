"""Settings for the load benchmark's gunicorn: the site's own, with a per-run cache key prefix.

django-environ lower-cases the options of a ``redis://`` CACHE_URL, so ``?key_prefix=`` never
reaches Django's Redis backend; without a prefix the run's keys could not be told from anyone
else's in a shared Redis, and bench/load_run.py deletes them afterwards by this prefix.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CACHES

CACHES["default"]["KEY_PREFIX"] = os.environ["LOAD_CACHE_PREFIX"]
