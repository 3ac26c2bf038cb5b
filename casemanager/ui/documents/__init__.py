"""Printing and saving documents from the chart."""
