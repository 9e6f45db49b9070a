"""A test plugin that records every domain event, in the transaction and after commit."""

from quizcore.events import AfterCommit, DomainEvent
from quizcore.transactions import registry_of


def record(event):
    registry_of(event.session)["eventlog.in_transaction"].append(event)


def record_after_commit(after):
    registry_of(after.event.session)["eventlog.after_commit"].append(after.event)


def includeme(config):
    config.registry["eventlog.in_transaction"] = []
    config.registry["eventlog.after_commit"] = []
    config.add_subscriber(record, DomainEvent)
    config.add_subscriber(record_after_commit, AfterCommit)
