"""checks: verdicts on a learner's functions, with the likely mistake named."""
