from django.dispatch import Signal

#: Sent after a roster import is applied, inside its transaction:
#: roster_applied.send(sender=RosterImport, roster_import=..., created_ids=[...], changed_ids=[...])
#: Assignment rules listen to it to enrol new and moved staff.
roster_applied = Signal()
