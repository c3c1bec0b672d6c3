"""Example code locations beyond the worked example (``example_project``)."""
