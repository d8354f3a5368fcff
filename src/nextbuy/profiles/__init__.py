"""User Profile service: demographics, preferences and recent browsing history of shoppers."""
