"""The core REST services. Each module registers its Cornice services in ``includeme``."""


def includeme(config):
    config.include(".health")
    config.include(".docs")
    config.include(".questions")
    config.include(".quizzes")
    config.include(".attempts")
