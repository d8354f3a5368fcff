"""Shop data: the demo shop generator and seeding of the services through their APIs."""
