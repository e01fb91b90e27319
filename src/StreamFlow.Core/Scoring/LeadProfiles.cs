using StreamFlow.Core.Leads;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring;

/// <summary>
/// The typed view of a lead that scoring reads. Training and scoring both go through here, so a value always reaches
/// the model in the same form.
/// </summary>
public static class LeadProfiles
{
    public static LeadProfile From(Lead lead) => new(
        lead.FirstName, lead.LastName, null, lead.Company, lead.Email, lead.Phone, lead.Source, lead.Notes, null,
        lead.City, lead.State, lead.PostalCode, lead.Country, StoredAttributes.Read(lead.Attributes));
}
