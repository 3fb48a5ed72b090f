"""The council report (the annual goals-and-results report) made from the web app."""
