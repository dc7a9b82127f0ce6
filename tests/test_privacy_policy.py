"""An institution's privacy policy: stricter rules for its faculty's dossiers, set by its own admins, with history."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.dossiers.freezing import FreezeRefused
from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.models import DossierVersion
from portfolio.privacy.models import PrivacyPolicy
from portfolio.privacy.policy import policy_for
from portfolio.privacy.policy import policy_for_faculty
from tests.factories import HighlightFactory
from tests.factories import PostFactory

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

# "Yesterday" on a post published on 15 March: the event was one day before the post.
SOON = "Yesterday's trauma: grade 4 splenic laceration, embolized."
PUBLISHED = dt.datetime(2025, 3, 15, 9, tzinfo=dt.UTC)


def acknowledged(dossier, post, user):
    return HighlightFactory(
        dossier=dossier, post=post, position=2, privacy_acknowledged_by=user, privacy_acknowledged_at=timezone.now()
    )


def test_without_a_policy_an_institution_gets_the_defaults(northfield):
    policy = policy_for(northfield)

    assert (policy.allows_patient_images, policy.min_days_after_event, policy.review_flags_need_acknowledgement) == (
        True,
        0,
        False,
    )


def test_the_no_patient_images_rule_is_one_call_away(northfield, southbay):
    PrivacyPolicy.objects.create(institution=northfield, allows_patient_images=False)

    assert policy_for(northfield).allows_patient_images is False
    assert policy_for(southbay).allows_patient_images is True


def test_freezing_refuses_a_post_sooner_after_its_event_than_the_policy_allows_even_acknowledged(
    dossier, alice, alice_instagram, northfield
):
    PrivacyPolicy.objects.create(institution=northfield, min_days_after_event=30)
    soon = PostFactory(account=alice_instagram, external_id="soon", caption=SOON, published_at=PUBLISHED)
    acknowledged(dossier, soon, alice)

    with pytest.raises(FreezeRefused) as refused:
        freeze(dossier=dossier, user=alice)

    [breach] = refused.value.breaches
    assert breach.highlight.post == soon
    assert breach.rule == "Northfield University's rule \u201cminimum days between an event and a post\u201d (30)"
    assert "post soon was published 1 day after the event its caption describes" in str(refused.value)
    assert not DossierVersion.objects.exists()


def test_another_institutions_policy_does_not_apply(dossier, alice, alice_instagram, southbay):
    PrivacyPolicy.objects.create(institution=southbay, min_days_after_event=30, review_flags_need_acknowledgement=True)
    acknowledged(dossier, PostFactory(account=alice_instagram, caption=SOON, published_at=PUBLISHED), alice)

    assert freeze(dossier=dossier, user=alice).number == 1


def test_a_faculty_member_of_two_institutions_answers_to_the_stricter_of_each_rule(dana, northfield, southbay):
    PrivacyPolicy.objects.create(institution=northfield, min_days_after_event=14)
    PrivacyPolicy.objects.create(institution=southbay, min_days_after_event=30, allows_patient_images=False)

    policy = policy_for_faculty(dana)

    assert (policy.min_days_after_event, policy.allows_patient_images) == (30, False)
    assert policy.set_by == {
        "min_days_after_event": "Southbay Medical College",
        "allows_patient_images": "Southbay Medical College",
    }


def test_worth_a_look_flags_block_freezing_only_when_the_policy_says_so(dossier, alice, alice_instagram, northfield):
    # An age band alone is worth a look: it does not block by default.
    HighlightFactory(
        dossier=dossier, post=PostFactory(account=alice_instagram, caption="A woman in her 40s."), position=2
    )
    assert freeze(dossier=dossier, user=alice).number == 1

    PrivacyPolicy.objects.create(institution=northfield, review_flags_need_acknowledgement=True)
    with pytest.raises(FreezeRefused) as refused:
        freeze(dossier=dossier, user=alice)

    assert [flag.severity for flag in refused.value.unresolved[0].flags] == ["review"]


def test_the_api_names_the_policy_rule_and_the_post(dossier, alice, alice_instagram, northfield, client):
    PrivacyPolicy.objects.create(institution=northfield, min_days_after_event=30)
    soon = PostFactory(account=alice_instagram, caption=SOON, published_at=PUBLISHED)
    acknowledged(dossier, soon, alice)
    client.force_login(alice)

    response = client.post(f"/api/v1/dossiers/{dossier.pk}/freeze/")

    assert response.status_code == 409
    [breach] = response.json()["policy"]
    assert breach["post"] == soon.pk
    assert "minimum days between an event and a post" in breach["rule"]


def test_the_versions_page_shows_the_refusal_with_the_rule(dossier, alice, alice_instagram, northfield, client):
    PrivacyPolicy.objects.create(institution=northfield, min_days_after_event=30)
    acknowledged(dossier, PostFactory(account=alice_instagram, caption=SOON, published_at=PUBLISHED), alice)
    client.force_login(alice)

    response = client.post(reverse("dossiers:freeze", args=[dossier.pk]))

    assert response.status_code == 409
    assert "minimum days between an event and a post" in response.content.decode()


# --- the admin ----------------------------------------------------------------------------------------------------


def add_url():
    return reverse("admin:privacy_privacypolicy_add")


def test_an_institution_admin_sets_her_institutions_policy_and_its_history_is_kept(client, nora, northfield):
    client.force_login(nora)

    response = client.post(
        add_url(), {"institution": northfield.pk, "allows_patient_images": "", "min_days_after_event": "21"}
    )

    assert response.status_code == 302
    policy = PrivacyPolicy.objects.get(institution=northfield)
    assert (policy.allows_patient_images, policy.min_days_after_event) == (False, 21)
    [record] = policy.history.all()
    assert record.history_user == nora
    assert client.get(reverse("admin:privacy_privacypolicy_history", args=[policy.pk])).status_code == 200


def test_an_institution_admin_cannot_set_or_see_another_institutions_policy(client, nora, southbay):
    theirs = PrivacyPolicy.objects.create(institution=southbay, min_days_after_event=7)
    client.force_login(nora)

    refused = client.post(add_url(), {"institution": southbay.pk, "min_days_after_event": "0"})
    listed = client.get(reverse("admin:privacy_privacypolicy_changelist")).content.decode()
    opened = client.get(reverse("admin:privacy_privacypolicy_change", args=[theirs.pk]))
    history = client.get(reverse("admin:privacy_privacypolicy_history", args=[theirs.pk]))

    assert refused.status_code == 200  # the form again: Southbay is not a choice
    assert PrivacyPolicy.objects.count() == 1
    assert "Southbay" not in listed
    assert opened.status_code == 302 and "Southbay" not in opened.content.decode()  # "does not exist", to the index
    assert history.status_code == 404


def test_faculty_and_reviewers_do_not_reach_the_policy_admin(client, alice):
    client.force_login(alice)

    assert client.get(reverse("admin:privacy_privacypolicy_changelist")).status_code == 302
