"""The core REST services. Each module registers its Cornice services in ``includeme``."""


def includeme(config):
    config.include(".statuses")  # add_operation_statuses, used by every service below
    config.include(".questions")
    config.include(".quizzes")  # before any /api/quizzes/{id}/... route (see quizzes.py)
    config.include(".attempts")
    config.include(".exam_control")
    config.include(".health")
    config.include(".docs")
    config.include(".auth")
    config.include(".users")
    config.include(".teachers")
    config.include(".students")
    config.include(".classes")
    config.include(".monitor")
