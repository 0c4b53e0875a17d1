"""helpers: the tested package behind the beat-tracking course.

Every module is named after its job; the layers (lowest first) and which module may
import which are in ``docs/architecture.md`` (enforced by ``tests/test_architecture.py``).

Foundation

- :mod:`helpers.errors`    -- the one exception family (ParameterError, DataError, DataMissingError ...)
- :mod:`helpers.checks`    -- check one scalar argument (number, count, flag, choice): one rule, one message style
- :mod:`helpers.files`     -- atomic writes of files and folders, locks, the ``.complete`` marker
- :mod:`helpers.splits`    -- the fixed dev/test split, decided by each track id alone

Data

- :mod:`helpers.data`      -- read the Harmonix data exactly: info.json, mel-spectrograms, beats, metadata, data sets
  (``params``, ``melspec``, ``annotations``, ``datasets``)
- :mod:`helpers.synth`     -- the built-in synthetic demo data set, with exact beat annotations
- :mod:`helpers.fetch`     -- data_manifest.yaml: status, download and install of the real data

Features and tracking

- :mod:`helpers.novelty`   -- novelty curves: spectral flux step by step, energy novelty, onsets
- :mod:`helpers.tempo`     -- tempograms and the global tempo in BPM
- :mod:`helpers.beat`      -- the reference beat tracker: dynamic programming, phase lock, refinement
- :mod:`helpers.baseline`  -- librosa's beat tracker on our mel-spectrograms, stock and aligned
- :mod:`helpers.downbeat`  -- bars and downbeats from tracked beats (``evidence``, ``bars``, ``track``, ``annotations``)

Evaluation

- :mod:`helpers.evaluate`  -- the one evaluation configuration: beat, tempo and downbeat scores
  (``config``, ``beats``, ``metrics``, ``tempo``, ``downbeats``)

Learning

- :mod:`helpers.learn`     -- learn the novelty from the annotations: features, models, training, model files
  (``features``, ``models``, ``training``, ``modelfile``, ``tracking``)

Batch runs and analysis

- :mod:`helpers.batch`     -- track and score every track of a data set: both cores, cached, failures as rows
- :mod:`helpers.cache`     -- the batch runner's per-track cache: content keys, atomic JSON entries
- :mod:`helpers.pool`      -- run independent jobs on worker processes; survives crashes, stops on Ctrl-C
- :mod:`helpers.results`   -- results of a batch run: rows, results.csv/json, tables, comparisons
- :mod:`helpers.analysis`  -- where and why a tracker fails: statistics, failure taxonomy, experiments, reporting
  (``statistics``, ``taxonomy``, ``experiments``, ``reporting``, ``playground``)

Teaching

- :mod:`helpers.plot`      -- figures with axes in seconds and Hz from the data's own parameters
- :mod:`helpers.listen`    -- sound from a mel-spectrogram, with clicks at beats
- :mod:`helpers.widgets`   -- interactive widgets for the notebooks
- :mod:`helpers.exercises` -- self-checking exercises: ``check(id, fn)``, ``solution(id)``
- :mod:`helpers.course`    -- run the course notebooks headless (as handed out, or with the solutions)

Command line

- :mod:`helpers.cli`       -- ``python -m helpers COMMAND``: one parser, every command (``helpers.__main__``)

Import what you need from the module, e.g. ``from helpers.data import open_dataset``.
"""

__version__ = "0.1.0"
