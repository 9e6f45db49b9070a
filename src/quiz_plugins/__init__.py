"""Optional quizcore features. Each sub-package is a plugin enabled in ``quizcore.plugins``."""
