"""Pages that show what the apps built on theirs know (a meeting's page shows how the previous resolution was
carried out; a member's page, their evidence of the year). The page's app sends a signal and merges what the
receivers return into its context, so that it never imports the apps above it. May import nothing of the apps.
"""


def extras(signal, sender, **kwargs):
    """The context the receivers of `signal` add to a page: their dicts, merged in the order they connected."""
    merged = {}
    for _receiver, answer in signal.send(sender=sender, **kwargs):
        merged.update(answer or {})
    return merged
