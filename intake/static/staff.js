// staff keyboard shortcuts (being built)
