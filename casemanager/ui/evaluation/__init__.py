"""The evaluation screen: the form a therapist fills during an evaluation."""
