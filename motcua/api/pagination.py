from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}` pages; clients may ask up to 100 rows."""

    page_size_query_param = "page_size"
    max_page_size = 100
