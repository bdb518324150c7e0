"""factory-boy factories. Traits describe states: UserFactory(specialist=True)."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from portal.constants import PhaseSet, Role
from portal.models import (
    Agency,
    Employer,
    EmployerContact,
    Invitation,
    LegalEntity,
    Product,
    User,
)
from portal.services import agency_defaults_apply
from trajecten.constants import MemberRole, TrajectoryStatus
from trajecten.models import Employee, Employment, SicknessCase, Trajectory, TrajectoryMember

PASSWORD = "Correct-Horse-42"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Re-integratiebureau {n}")
    phase_set = PhaseSet.SIX_STEPS

    @factory.post_generation
    def phases(obj, create, extracted, **kwargs):
        if create:
            agency_defaults_apply(agency=obj)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Werkgever {n} Groep")


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity

    employer = factory.SubFactory(EmployerFactory)
    name = factory.Sequence(lambda n: f"Werkmaatschappij {n} BV")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nl")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.SPECIALIST
    language = "nl"

    class Params:
        admin = factory.Trait(role=Role.AGENCY_ADMIN)
        specialist = factory.Trait(role=Role.SPECIALIST)
        contact = factory.Trait(role=Role.EMPLOYER_CONTACT)
        employee = factory.Trait(role=Role.EMPLOYEE)
        platform = factory.Trait(agency=None, role="", is_staff=True, is_superuser=True)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class EmployerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerContact
        skip_postgeneration_save = True

    employer = factory.SubFactory(EmployerFactory)
    user = factory.SubFactory(
        UserFactory, contact=True, agency=factory.SelfAttribute("..employer.agency")
    )
    all_legal_entities = True

    @factory.post_generation
    def legal_entities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.all_legal_entities = False
            obj.save(update_fields=["all_legal_entities"])
            obj.legal_entities.set(extracted)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    agency = factory.SubFactory(AgencyFactory)
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"werknemer{n}@example.nl")

    class Params:
        with_login = factory.Trait(
            user=factory.SubFactory(
                UserFactory,
                employee=True,
                agency=factory.SelfAttribute("..agency"),
                email=factory.SelfAttribute("..email"),
                first_name=factory.SelfAttribute("..first_name"),
                last_name=factory.SelfAttribute("..last_name"),
            )
        )


class SicknessCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SicknessCase

    employee = factory.SubFactory(EmployeeFactory)
    first_sick_day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))


class TrajectoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trajectory
        skip_postgeneration_save = True

    legal_entity = factory.SubFactory(LegalEntityFactory)
    employee = factory.SubFactory(
        EmployeeFactory, agency=factory.SelfAttribute("..legal_entity.agency")
    )
    agency = factory.SelfAttribute("legal_entity.agency")
    sickness_case = factory.SubFactory(
        SicknessCaseFactory, employee=factory.SelfAttribute("..employee")
    )
    product = factory.LazyAttribute(
        lambda o: Product.objects.get(agency=o.legal_entity.agency, kind=Product.Kind.BASE_3_MONTHS)
    )
    status = TrajectoryStatus.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    referral_date = factory.LazyAttribute(
        lambda o: (o.start_date or timezone.localdate()) - timedelta(days=7)
    )

    class Params:
        referred = factory.Trait(status=TrajectoryStatus.REFERRED, start_date=None)

        ended = factory.Trait(
            status=TrajectoryStatus.ENDED,
            end_date=factory.LazyFunction(timezone.localdate),
        )

    @factory.post_generation
    def specialist(obj, create, extracted, **kwargs):
        if create and extracted:
            TrajectoryMember.objects.create(trajectory=obj, user=extracted, role=MemberRole.PRIMARY)

    @factory.post_generation
    def employment(obj, create, extracted, **kwargs):
        if create:
            Employment.objects.get_or_create(employee=obj.employee, legal_entity=obj.legal_entity)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    agency = factory.SubFactory(AgencyFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.nl")
    first_name = "Iris"
    last_name = "de Wit"
    role = Role.SPECIALIST
    language = "nl"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
