"""What the national sync tells the rest of the product."""

from django.dispatch import Signal

# A dossier's record reached the national portal (`dossier_id`): what counts synced dossiers
# (the Decision 766 index, reports/consumers.py) recounts it. Sent after the item is saved.
sync_item_sent = Signal()
