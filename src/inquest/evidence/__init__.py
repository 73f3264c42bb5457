"""Evidence: originals kept unchanged in a content-addressed, write-once store, checked at
intake, described beside themselves (technical metadata, perceptual hashes) and re-verified.

The engine knows nothing of the web: it hands typed values, and the workbench records them
(custody entries, audit) in its own transactions. Modules: ``store`` (digests, the ``Store``
protocol, backends by URL), ``local`` (the local-folder backend), ``intake`` (checking and
adding files and folders), ``technical_metadata``, ``perceptual`` (near-duplicate images),
``verify`` (re-hashing every original), ``vocabulary`` (acquisition methods, consent,
expunge reasons); ``timestamps`` (RFC 3161 tokens, checked offline), ``redact`` (copies with
content removed), ``strip`` (metadata removed from copies that leave), ``bundle`` (BagIt
export for a prosecutor).
"""

from __future__ import annotations

from inquest.evidence.store import Digests, Expunged, Store, Stored, open_store
from inquest.evidence.vocabulary import AcquisitionMethod, ConsentStatus, ExpungeReason

__all__ = [
    "AcquisitionMethod",
    "ConsentStatus",
    "Digests",
    "ExpungeReason",
    "Expunged",
    "Store",
    "Stored",
    "open_store",
]
