"""The quantum modified-XXZ ring between two bosonic baths (paper Sec. III)."""
