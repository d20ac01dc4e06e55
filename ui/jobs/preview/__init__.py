"""In-app preview of a finished job's results: a player for video (a poster before Play, the
last frame and "Replay" at the end) and a compact one for sound, an image view, or the text;
Save as…, the result's link and file; Previous/Next through the finished jobs.

``dialog`` is the window, ``stage`` the player, ``images`` the image results and the poster
thumbnail, ``actions`` and ``files`` saving and links, ``sequence`` the jobs Previous/Next step
through.
"""

from ui.jobs.preview.dialog import PreviewDialog
from ui.jobs.preview.sequence import finished_jobs

__all__ = ["PreviewDialog", "finished_jobs"]
