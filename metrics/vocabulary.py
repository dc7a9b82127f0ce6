"""
The vocabulary of posts that is not a platform's: career categories. What platforms offer (content types,
interactions, metric fields) is in `accounts.vocabulary`. The keys are the API's; the labels are what people read.
"""

from django.db import models


class CareerCategory(models.TextChoices):
    """Categories from the radiology social-media literature."""

    EDUCATION = "education", "Education"
    BRANDING = "branding", "Branding"
    RESEARCH = "research", "Research & collaboration"
    MENTORSHIP = "mentorship", "Mentorship"
    PROMOTION = "promotion", "Academic advancement & promotion"
    LEADERSHIP = "leadership", "Leadership"
