namespace StreamFlow.Core.Leads.Import;

/// <summary>The lead fields a CSV column can map onto; every other column becomes an attribute.</summary>
public enum LeadField
{
    FirstName,
    LastName,
    FullName,
    Company,
    Email,
    Phone,
    Source,
    Notes,
    Address,
    City,
    State,
    PostalCode,
    Country,
}

/// <summary>Recognizes the headers of known lead fields, ignoring case, spaces and punctuation ("E-mail", "ZIP code").</summary>
internal static class LeadFieldHeaders
{
    private static readonly Dictionary<string, LeadField> Known = new(StringComparer.Ordinal)
    {
        ["firstname"] = LeadField.FirstName,
        ["first"] = LeadField.FirstName,
        ["givenname"] = LeadField.FirstName,
        ["lastname"] = LeadField.LastName,
        ["last"] = LeadField.LastName,
        ["surname"] = LeadField.LastName,
        ["familyname"] = LeadField.LastName,
        ["name"] = LeadField.FullName,
        ["fullname"] = LeadField.FullName,
        ["contactname"] = LeadField.FullName,
        ["leadname"] = LeadField.FullName,
        ["company"] = LeadField.Company,
        ["companyname"] = LeadField.Company,
        ["organization"] = LeadField.Company,
        ["organisation"] = LeadField.Company,
        ["business"] = LeadField.Company,
        ["businessname"] = LeadField.Company,
        ["email"] = LeadField.Email,
        ["emailaddress"] = LeadField.Email,
        ["phone"] = LeadField.Phone,
        ["phonenumber"] = LeadField.Phone,
        ["telephone"] = LeadField.Phone,
        ["mobile"] = LeadField.Phone,
        ["mobilephone"] = LeadField.Phone,
        ["cellphone"] = LeadField.Phone,
        ["source"] = LeadField.Source,
        ["leadsource"] = LeadField.Source,
        ["notes"] = LeadField.Notes,
        ["note"] = LeadField.Notes,
        ["comments"] = LeadField.Notes,
        ["description"] = LeadField.Notes,
        ["address"] = LeadField.Address,
        ["streetaddress"] = LeadField.Address,
        ["street"] = LeadField.Address,
        ["city"] = LeadField.City,
        ["town"] = LeadField.City,
        ["state"] = LeadField.State,
        ["province"] = LeadField.State,
        ["stateprovince"] = LeadField.State,
        ["postalcode"] = LeadField.PostalCode,
        ["postcode"] = LeadField.PostalCode,
        ["zip"] = LeadField.PostalCode,
        ["zipcode"] = LeadField.PostalCode,
        ["country"] = LeadField.Country,
    };

    public static LeadField? Match(string header) => Known.TryGetValue(Normalize(header), out var field) ? field : null;

    /// <summary>Lower-case letters and digits only: how headers and column options are compared.</summary>
    public static string Normalize(string header) =>
        string.Concat(header.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant));
}
