"""The former name of ``bot.services.letters``, kept while imports move to the new name.

The module object is the same one (not a copy), so what is set on it under either name,
such as the letter worker a test replaces, is what the letters service uses.
"""

import sys

from bot.services import letters

sys.modules[__name__] = letters
