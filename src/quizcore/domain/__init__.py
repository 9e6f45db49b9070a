"""Business rules of quizcore, as plain functions with no HTTP in them."""
