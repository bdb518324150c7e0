import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded at start-up lives as long as the process: move it out of the garbage
# collector's reach, so full collections stay short (Python's gc.freeze, meant for this).
gc.freeze()
