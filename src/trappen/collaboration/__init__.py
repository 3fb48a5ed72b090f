"""Collaboration around the child: partner organisations, the legal basis for sharing, meetings,
agreed actions, anonymous consultations and step-1 support, and their KPIs. Pure: no Django.

Public API::

    from trappen.collaboration import (FIELD_GROUPS, ORG_KINDS, Grounds, LegalBasis, SharingDecision,
                                       decide_sharing, legal_bases, load_legal_bases)
"""

from trappen.collaboration.sharing import (
    CONSENT_GIVERS,
    FIELD_GROUPS,
    NEVER_WITHOUT_CONSENT,
    ORG_KINDS,
    Grounds,
    LegalBasis,
    SharingDecision,
    decide_sharing,
    legal_bases,
    load_legal_bases,
)

__all__ = ["CONSENT_GIVERS", "FIELD_GROUPS", "NEVER_WITHOUT_CONSENT", "ORG_KINDS", "Grounds", "LegalBasis",
           "SharingDecision", "decide_sharing", "legal_bases", "load_legal_bases"]
