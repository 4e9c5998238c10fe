"""Plain dataclasses, enums and rules of the clinic. Standard library only."""
