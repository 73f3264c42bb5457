"""Accounts: two-factor enrolment and verification, audited sign-in, lockout after failures."""
