"""Business rules with no HTTP in them: plain functions on a SQLAlchemy session.

The REST services, the plugins, the sweeper and ``quizctl`` all call these, so a rule is
written (and unit-tested) once.
"""
