"""Witness protection: pseudonyms, identities encrypted at rest, audited decryption."""
