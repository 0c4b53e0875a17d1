"""helpers: the tested package behind the beat-tracking course.

Modules are named after their job:

- :mod:`helpers.data`     -- read the Harmonix data exactly (info.json, mel-spectrograms, beats, metadata)
- :mod:`helpers.synth`    -- the built-in synthetic demo data set
- :mod:`helpers.fetch`    -- data_manifest.yaml: status, download and install of the real data
- :mod:`helpers.errors`   -- the one exception family

Import what you need from the module, e.g. ``from helpers.data import open_dataset``.
"""

__version__ = "0.1.0"
