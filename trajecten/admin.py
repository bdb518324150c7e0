# Deliberately empty: employee files are not browsed in the Django admin (see portal/admin.py).
