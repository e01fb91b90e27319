namespace StreamFlow.Core.Privacy;

/// <summary>
/// Sealed personal data that cannot be opened: its key is missing or unreachable, or the value does not authenticate
/// (another key, or copied from another row). The message names the field, never the value or a key.
/// </summary>
public sealed class PersonalDataUnavailableException : Exception
{
    public PersonalDataUnavailableException(string message)
        : base(message)
    {
    }

    public PersonalDataUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PersonalDataUnavailableException()
    {
    }
}
