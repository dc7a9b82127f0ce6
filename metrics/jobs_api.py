"""`/api/v1/jobs/`: the background jobs the user started (a large import, a PDF, a freeze) and their progress."""

from rest_framework import serializers, viewsets

from metrics.jobs import BackgroundJob


class BackgroundJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="backgroundjob-detail")
    rows_done = serializers.SerializerMethodField(help_text="Rows done so far (live while the job runs).")
    finished = serializers.BooleanField(read_only=True, help_text="Done or failed: nothing will change any more.")

    class Meta:
        model = BackgroundJob
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "finished",
            "message",
            "rows_done",
            "rows_total",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "import_batch",
            "result_url",
        ]
        read_only_fields = fields

    def get_rows_done(self, job) -> int:
        return job.progress()


class BackgroundJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Poll a job's address (the `Location` of a 202 answer) until `finished` is true."""

    queryset = BackgroundJob.objects.all()
    serializer_class = BackgroundJobSerializer
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)
