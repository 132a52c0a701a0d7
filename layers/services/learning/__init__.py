"""Learning services: spaced repetition, quizzes, daily challenges, mock interviews, certificates."""
