"""Business rules of quizcore, as plain functions with no HTTP in them.

The REST services, the ``quizctl`` commands and the plugins all call these functions, so a
rule (a deadline, a shuffle, what a student may see) is written once and tested directly.
"""
